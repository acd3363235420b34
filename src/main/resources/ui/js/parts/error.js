import { html } from '../html.js';

/** An API error as the API's own words (its detail), read out by screen readers. */
export function ErrorText({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.detail || error.message || String(error)}</p>`;
}
