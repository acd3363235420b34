// Editing a map of names to values (user metadata, tags) as rows of two inputs.
import { html } from '../html.js';

/** `{a: '1'}` ⇄ `[['a', '1']]`, rows with an empty name dropped. */
export const toRows = (map) => Object.entries(map || {});
export const toMap = (rows) => Object.fromEntries(rows.filter(([name]) => name.trim() !== '').map(([name, value]) => [name.trim(), value]));

/** The rows, each with its name and value inputs and a remove button, and an add button. */
export function PairsEditor({ label, rows, onChange }) {
  const set = (index, column, value) => onChange(rows.map((row, at) => (at === index
    ? (column === 0 ? [value, row[1]] : [row[0], value]) : row)));
  return html`
    <fieldset class="pairs">
      <legend>${label}</legend>
      ${rows.length === 0 && html`<p class="muted">None.</p>`}
      ${rows.map(([name, value], index) => html`
        <div class="pair">
          <input aria-label=${`${label} name ${index + 1}`} value=${name} onInput=${(event) => set(index, 0, event.target.value)} />
          <input aria-label=${`${label} value ${index + 1}`} value=${value} onInput=${(event) => set(index, 1, event.target.value)} />
          <button type="button" aria-label=${`Remove ${label.toLowerCase()} ${name || index + 1}`}
                  onClick=${() => onChange(rows.filter((_, at) => at !== index))}>−</button>
        </div>`)}
      <button type="button" onClick=${() => onChange(rows.concat([['', '']]))}>Add ${label.toLowerCase()}</button>
    </fieldset>`;
}
