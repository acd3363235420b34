// Sharing one object: a signed URL with a chosen lifetime, and the public URL in a public bucket.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { actingTenant, currentUser, serviceLimits } from '../api.js';
import { Dialog } from './dialog.js';
import { ErrorText } from './error.js';
import { publicUrl, signedUrl } from './objects.js';
import { baseName } from './text.js';
import { formatInstant } from './dates.js';

// Offered when the server allows them: its limits come from GET / (docs/api.md, "limits").
const PRESETS = [[900, '15 minutes'], [3600, '1 hour'], [86400, '1 day'], [604800, '7 days']];
const UNITS = { minutes: 60, hours: 3600, days: 86400 };

/** A lifetime in the largest unit that divides it: "7 days", "90 minutes". */
function inWords(seconds) {
  const [unit, size] = Object.entries(UNITS).reverse().find(([, length]) => seconds % length === 0) || ['seconds', 1];
  const count = seconds / size;
  return `${count} ${count === 1 ? unit.slice(0, -1) : unit}`;
}

/** The server's lifetimes, {min, max}; max null when they could not be read (the server still refuses). */
function useLimits() {
  const [limits, setLimits] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    serviceLimits().then(
      (found) => live && setLimits({ min: found.signedUrlMinTtlSeconds, max: found.signedUrlMaxTtlSeconds }),
      (failed) => {
        if (!live) return;
        setError(failed);
        setLimits({ min: 60, max: null });
      });
    return () => { live = false; };
  }, []);
  return [limits, error];
}

/** The presets within `max`, and the longest allowed lifetime itself when it is none of them. */
function presetsFor(max) {
  const options = PRESETS.filter(([seconds]) => max === null || seconds <= max)
    .map(([seconds, label]) => [String(seconds), seconds === max ? label + ' (the longest allowed)' : label]);
  if (max !== null && !PRESETS.some(([seconds]) => seconds === max)) {
    options.push([String(max), inWords(max) + ' (the longest allowed)']);
  }
  return options;
}

/** What ends a link early, for whoever is issuing it. */
function RevocationNote() {
  const user = currentUser();
  if (user && user.external) {
    return html`<p class="muted share-note">You logged in through another identity provider, so the link is tied to
      nothing Granary can revoke: it works until it expires unless an administrator retires its signing key.</p>`;
  }
  return html`<p class="muted share-note">The link stops working before then if the user that issued it
    (${user ? user.username : 'you'}) is disabled or deleted, or if its signing key is retired.</p>`;
}

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
  const [limits, limitsError] = useLimits();
  const [preset, setPreset] = useState(null);
  const [amount, setAmount] = useState('2');
  const [unit, setUnit] = useState('hours');
  const [asDownload, setAsDownload] = useState(false);
  const [link, setLink] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const tenant = actingTenant();
  if (!limits) {
    return html`<${Dialog} title="Share" onClose=${onClose}><p class="muted" role="status">Reading the server's limits…</p></${Dialog}>`;
  }
  const options = presetsFor(limits.max);
  const chosen = preset || (options.some(([value]) => value === '3600') ? '3600' : (options.at(-1) || ['custom'])[0]);
  const seconds = chosen === 'custom' ? Math.round(Number(amount) * UNITS[unit]) : Number(chosen);
  const outOfRange = !(seconds >= limits.min && (limits.max === null || seconds <= limits.max));
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
          <select value=${chosen} onChange=${(event) => setPreset(event.target.value)}>
            ${options.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
            <option value="custom">Custom…</option>
          </select>
        </label>
        ${chosen === 'custom' && html`
          <div class="row">
            <label>Amount <input type="number" min="1" step="any" value=${amount} onInput=${(event) => setAmount(event.target.value)} /></label>
            <label>Unit
              <select value=${unit} onChange=${(event) => setUnit(event.target.value)}>
                ${Object.keys(UNITS).map((name) => html`<option value=${name}>${name}</option>`)}
              </select>
            </label>
          </div>
          <p class=${outOfRange ? 'error' : 'muted'}>${limits.max === null
            ? `At least ${inWords(limits.min)}; the server's longest lifetime could not be read, it refuses more with a reason.`
            : `Between ${inWords(limits.min)} and ${inWords(limits.max)} (the server's limits).`}</p>`}
        ${!outOfRange && html`<p class="muted">Expires about ${formatInstant(new Date(Date.now() + seconds * 1000).toISOString())}.</p>`}
        <label class="inline"><input type="checkbox" checked=${asDownload} onChange=${(event) => setAsDownload(event.target.checked)} />
          Save as a file when opened</label>
        <button type="submit" class="primary" disabled=${busy || outOfRange}>${busy ? 'Creating…' : 'Create link'}</button>
      </form>
      <${ErrorText} error=${limitsError} />
      <${ErrorText} error=${error} />
      ${link && html`
        <${CopyField} label="Signed link" value=${link.url} />
        <p class="muted share-expiry">Anyone with this link can read the file until <time
          datetime=${link.expiresAt}>${formatInstant(link.expiresAt)}</time>.</p>`}
      <${RevocationNote} />
      ${settings && settings.visibility === 'public' && tenant && html`
        <${CopyField} label="Public address (this bucket is public; it does not expire)" value=${publicUrl(tenant, bucket, object.key)} />`}
    </${Dialog}>`;
}
