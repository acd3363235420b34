import { useState } from 'preact/hooks';
import { html } from '../html.js';

/** A secret the server shows only once: a warning, the value, and a copy button. */
export function OneTimeSecret({ fields, onDone }) {
  const [copied, setCopied] = useState(null);
  const copy = async (label, value) => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(`${label} copied.`);
    } catch (denied) {
      setCopied(`The browser refused to copy: select the ${label.toLowerCase()} and copy it by hand.`);
    }
  };
  return html`
    <div class="card secret" role="region" aria-label="New secret">
      <p class="warning" role="alert"><strong>Copy it now.</strong> This secret is shown only once: Granary keeps
        no readable copy. If it is lost, revoke the credential and create another.</p>
      ${fields.map(([label, value]) => html`
        <label>${label}
          <span class="copy-row">
            <input readonly value=${value} class="mono" data-secret=${label} onFocus=${(event) => event.target.select()} />
            <button type="button" onClick=${() => copy(label, value)}>Copy</button>
          </span>
        </label>`)}
      <p class="muted" role="status">${copied}</p>
      <button type="button" onClick=${onDone}>I have saved it</button>
    </div>`;
}
