// A modal dialog on the platform's <dialog>: focus stays inside, Escape closes, focus returns.
import { useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';

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
