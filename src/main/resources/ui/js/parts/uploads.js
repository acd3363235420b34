// The uploads panel, mounted once by the shell so it shows on every screen: total and per-file
// progress with speed and time left, cancel, retry, the API's words for each refusal, and the
// uploads of an earlier page that can go on once their files are selected again.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import {
  cancel, cancelAll, clearFinished, discard, findResumable, resumeWith, retry, subscribe, uploads,
} from '../upload/manager.js';
import { Picker } from '../upload/pickers.js';
import { retriable } from '../upload/request.js';
import { formatBytes } from './bytes.js';
import { formatDuration } from './dates.js';

function status(item) {
  switch (item.state) {
    case 'queued': return 'Waiting';
    case 'done': return 'Done' + (item.resumedFrom ? ', resumed at ' + formatBytes(item.resumedFrom) : '');
    case 'cancelled': return 'Cancelled';
    case 'failed': return item.error.detail || item.error.message;
    case 'retrying': return 'Connection lost, trying again (attempt ' + item.attempt + ')…';
    default: return formatBytes(item.sent) + ' of ' + formatBytes(item.size)
      + (item.speed > 0 ? ' · ' + formatBytes(item.speed) + '/s' : '')
      + (item.eta !== null ? ' · ' + formatDuration(item.eta) + ' left' : '')
      + (item.resumedFrom ? ' · resumed at ' + formatBytes(item.resumedFrom) : '');
  }
}

function Upload({ item }) {
  const done = item.state === 'done' || item.state === 'cancelled' || item.state === 'failed';
  return html`
    <li class=${'upload ' + item.state} data-key=${item.key}>
      <div class="upload-name" title=${item.bucket + '/' + item.key}>${item.key}</div>
      <progress max=${item.size || 1} value=${item.state === 'done' || item.state === 'failed' ? item.size || 1 : item.sent}
        aria-label=${'Upload of ' + item.key}></progress>
      <div class="upload-status">
        <span class=${item.state === 'failed' ? 'error' : 'muted'} role=${item.state === 'failed' ? 'alert' : undefined}>
          ${status(item)}</span>
        ${!done && html`<button type="button" class="link" onClick=${() => cancel(item.id)}
          aria-label=${'Cancel upload of ' + item.key}>Cancel</button>`}
        ${item.state === 'failed' && retriable(item.error) && html`<button type="button" class="link" onClick=${() => retry(item.id)}
          aria-label=${'Retry upload of ' + item.key}>Retry</button>`}
      </div>
    </li>`;
}

/** The uploads a reload or a closed tab interrupted: the browser forgot their files. */
function Resume({ records }) {
  const [unmatched, setUnmatched] = useState([]);
  const chosen = (files) => setUnmatched(resumeWith(files));
  return html`
    <div class="resume" role="region" aria-label="Interrupted uploads">
      <p><strong>${records.length} ${records.length === 1 ? 'upload' : 'uploads'} can be resumed</strong> —
        select the same ${records.length === 1 ? 'file' : 'files'} again to continue. The browser cannot keep
        a file after the page was closed or reloaded; what was sent is kept on the server.</p>
      <ul>
        ${records.map((record) => html`
          <li key=${record.url}>
            <span class="upload-name">${record.bucket}/${record.key}</span>
            <span class="muted"> ${formatBytes(record.offset)} of ${formatBytes(record.size)} sent</span>
            <button type="button" class="link" onClick=${() => discard(record.url)}
              aria-label=${'Discard upload of ' + record.key}>Discard</button>
          </li>`)}
      </ul>
      ${unmatched.length > 0 && html`<p class="error" role="alert">Not an interrupted upload: ${unmatched.join(', ')}.
        Pick the file with the same name, size and date.</p>`}
      <div class="actions">
        <${Picker} label="Select files" className="primary" onFiles=${chosen} />
        <${Picker} label="Select folder" folder onFiles=${chosen} />
      </div>
    </div>`;
}

export function UploadsPanel() {
  const [, setTick] = useState(0);
  const [open, setOpen] = useState(true);
  useEffect(() => {
    const unsubscribe = subscribe(() => setTick((tick) => tick + 1));
    findResumable();
    return unsubscribe;
  }, []);
  const { items, resumable, totals } = uploads();
  if (items.length === 0 && resumable.length === 0) return null;
  const summary = totals.active > 0
    ? `${totals.count - totals.active} of ${totals.count} done · ${formatBytes(totals.sent)} of ${formatBytes(totals.size)}`
      + (totals.speed > 0 ? ` · ${formatBytes(totals.speed)}/s` : '') + (totals.eta !== null ? ` · ${formatDuration(totals.eta)} left` : '')
    : `${totals.done} of ${totals.count} uploaded` + (totals.failed ? `, ${totals.failed} failed` : '');
  return html`
    <section class="uploads-panel" aria-labelledby="uploads-title">
      <header>
        <h2 id="uploads-title">Uploads</h2>
        <button type="button" class="link" aria-expanded=${open} aria-controls="uploads-body"
          onClick=${() => setOpen(!open)}>${open ? 'Hide' : 'Show'}</button>
      </header>
      ${items.length > 0 && html`
        <p class="uploads-summary">${summary}</p>
        <progress class="uploads-total" max=${totals.size || 1} value=${totals.sent} aria-label="All uploads"></progress>`}
      <div id="uploads-body" hidden=${!open}>
        ${resumable.length > 0 && html`<${Resume} records=${resumable} />`}
        ${items.length > 0 && html`
          <ul class="upload-list">${items.map((item) => html`<${Upload} key=${item.id} item=${item} />`)}</ul>
          <div class="actions">
            ${totals.active > 0 && html`<button type="button" onClick=${cancelAll}>Cancel all</button>`}
            ${totals.active < totals.count && html`<button type="button" onClick=${clearFinished}>Clear finished</button>`}
          </div>`}
      </div>
    </section>`;
}
