// Sharing one object: a signed URL with a chosen lifetime, and the public URL in a public bucket.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { actingTenant } from '../api.js';
import { Dialog } from './dialog.js';
import { ErrorText } from './error.js';
import { publicUrl, signedUrl } from './objects.js';
import { baseName } from './text.js';
import { formatInstant } from './dates.js';

// The server's limits for a signed URL's lifetime (docs/api.md, "Signed URLs"): 60 s to one day.
const MIN_SECONDS = 60;
const MAX_SECONDS = 86400;
const PRESETS = [['900', '15 minutes'], ['3600', '1 hour'], ['86400', '1 day (the longest allowed)'], ['custom', 'Custom…']];
const UNITS = { minutes: 60, hours: 3600 };

/** A read-only URL with a copy button. */
function CopyField({ label, value }) {
  const [copied, setCopied] = useState(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied.');
    } catch (error) {
      setCopied('The browser did not allow copying: select the address and copy it.');
    }
  };
  return html`
    <div class="copy-field">
      <label>${label}<input readonly value=${value} onFocus=${(event) => event.target.select()} /></label>
      <button type="button" onClick=${copy}>Copy</button>
      <span class="muted" role="status">${copied}</span>
    </div>`;
}

/** The share dialog for `object` of `bucket` (`settings` the bucket's, for its visibility). */
export function ShareDialog({ bucket, settings, object, onClose }) {
  const [preset, setPreset] = useState('3600');
  const [amount, setAmount] = useState('2');
  const [unit, setUnit] = useState('hours');
  const [asDownload, setAsDownload] = useState(false);
  const [link, setLink] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const seconds = preset === 'custom' ? Math.round(Number(amount) * UNITS[unit]) : Number(preset);
  const outOfRange = !(seconds >= MIN_SECONDS && seconds <= MAX_SECONDS);
  const tenant = actingTenant();
  const create = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setLink(await signedUrl(bucket, object.key, { ttlSeconds: seconds, download: asDownload ? baseName(object.key) : undefined }));
    } catch (failed) {
      setError(failed);
    }
    setBusy(false);
  };
  return html`
    <${Dialog} title="Share" onClose=${onClose}>
      <p class="key-line">${object.key}</p>
      <form onSubmit=${create}>
        <label>Link works for
          <select value=${preset} onChange=${(event) => setPreset(event.target.value)}>
            ${PRESETS.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
          </select>
        </label>
        ${preset === 'custom' && html`
          <div class="row">
            <label>Amount <input type="number" min="1" step="any" value=${amount} onInput=${(event) => setAmount(event.target.value)} /></label>
            <label>Unit
              <select value=${unit} onChange=${(event) => setUnit(event.target.value)}>
                <option value="minutes">minutes</option><option value="hours">hours</option>
              </select>
            </label>
          </div>
          <p class=${outOfRange ? 'error' : 'muted'}>Between 1 minute and 1 day (the server's limits).</p>`}
        <label class="inline"><input type="checkbox" checked=${asDownload} onChange=${(event) => setAsDownload(event.target.checked)} />
          Save as a file when opened</label>
        <button type="submit" class="primary" disabled=${busy || outOfRange}>${busy ? 'Creating…' : 'Create link'}</button>
      </form>
      <${ErrorText} error=${error} />
      ${link && html`
        <${CopyField} label="Signed link" value=${link.url} />
        <p class="muted">Anyone with this link can read the file until ${formatInstant(link.expiresAt)}.</p>`}
      ${settings && settings.visibility === 'public' && tenant && html`
        <${CopyField} label="Public address (this bucket is public; it does not expire)" value=${publicUrl(tenant, bucket, object.key)} />`}
    </${Dialog}>`;
}
