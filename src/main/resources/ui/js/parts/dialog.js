import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { ErrorText } from './error.js';

/**
 * A modal question (the browser's <dialog>: focus kept inside, Escape closes it). With `typed`,
 * the action stays disabled until that exact word is typed, for what cannot be undone. `action`
 * runs on confirmation and may fail: its error is shown and the dialog stays open.
 */
export function ConfirmDialog({ title, children, typed, confirmLabel, danger = true, action, onClose }) {
  const dialog = useRef(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => {
    dialog.current.showModal();
  }, []);
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
      onClose(true);
    } catch (failed) {
      setError(failed);
      setBusy(false);
    }
  };
  const ready = !typed || text === typed;
  return html`
    <dialog ref=${dialog} class="card confirm" aria-labelledby="confirm-title" onClose=${() => onClose(false)}>
      <form onSubmit=${submit}>
        <h2 id="confirm-title">${title}</h2>
        ${children}
        ${typed && html`
          <label><span>Type <strong>${typed}</strong> to confirm</span>
            <input value=${text} onInput=${(event) => setText(event.target.value)} autocomplete="off"
                   spellcheck="false" name="confirm" />
          </label>`}
        <${ErrorText} error=${error} />
        <div class="actions">
          <button type="button" onClick=${() => dialog.current.close()}>Cancel</button>
          <button type="submit" class=${danger ? 'danger' : 'primary'} disabled=${!ready || busy}>${confirmLabel}</button>
        </div>
      </form>
    </dialog>`;
}
