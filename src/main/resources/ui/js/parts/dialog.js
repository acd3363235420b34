// Modal dialogs on the platform's <dialog>: focus stays inside, Escape closes, focus returns.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { ErrorText } from './error.js';

/** Shown while mounted; `onClose` when the user dismisses it (Escape or the close button). */
export function Dialog({ title, onClose, children }) {
  const dialog = useRef(null);
  useEffect(() => {
    const element = dialog.current;
    const opener = document.activeElement;
    element.showModal();
    return () => {
      if (element.open) element.close();
      if (opener && opener.focus) opener.focus();
    };
  }, []);
  const titleId = 'dialog-' + title.replace(/\W+/g, '-').toLowerCase();
  return html`
    <dialog ref=${dialog} class="modal" aria-labelledby=${titleId}
            onCancel=${(event) => { event.preventDefault(); onClose(); }}>
      <header>
        <h2 id=${titleId}>${title}</h2>
        <button type="button" class="close" aria-label="Close" onClick=${onClose}>×</button>
      </header>
      ${children}
    </dialog>`;
}

/**
 * A question before an action. With `typed`, the action stays disabled until that exact word is
 * typed, for what cannot be undone. `action` runs on confirmation and may fail: its error is
 * shown and the dialog stays open. `onClose(done)` says whether the action ran.
 */
export function ConfirmDialog({ title, children, typed, confirmLabel, danger = true, action, onClose }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
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
    <${Dialog} title=${title} onClose=${() => onClose(false)}>
      <form class="confirm" onSubmit=${submit}>
        ${children}
        ${typed && html`
          <label><span>Type <strong>${typed}</strong> to confirm</span>
            <input value=${text} onInput=${(event) => setText(event.target.value)} autocomplete="off"
                   spellcheck="false" name="confirm" />
          </label>`}
        <${ErrorText} error=${error} />
        <div class="actions">
          <button type="button" onClick=${() => onClose(false)}>Cancel</button>
          <button type="submit" class=${danger ? 'danger' : 'primary'} disabled=${!ready || busy}>${confirmLabel}</button>
        </div>
      </form>
    <//>`;
}
