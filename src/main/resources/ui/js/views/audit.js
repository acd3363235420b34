import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { get } from '../api.js';
import { navigate } from '../router.js';
import { ErrorText } from '../parts/error.js';
import { useLoad } from '../parts/load.js';
import { useTenant } from '../parts/tenant.js';
import { formatInstant } from '../parts/dates.js';

const TYPES = ['tenant_created', 'tenant_deleted', 'key_created', 'key_revoked', 's3_credential_created',
  's3_credential_revoked', 'bucket_created', 'bucket_deleted', 'bucket_visibility_changed', 'bucket_cors_changed',
  'bucket_presets_changed', 'signed_url_issued', 'upload_created', 'signing_key_rotated', 'signing_key_retired', 'login',
  'login_failed', 'logout', 'refresh_token_reused', 'user_created', 'user_updated', 'user_deleted', 'issuer_registered',
  'issuer_removed', 'denied_burst'];
const PAGE = 50;
const BATCH = 1000;

/** A <input type=datetime-local> value (local time) as an ISO instant, and back. */
const toInstant = (local) => (local ? new Date(local).toISOString() : '');
const toLocal = (iso) => {
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
};

/** Whether an event passes the filters the API does not apply itself: actor, bucket, end of the range. */
function matcher({ actor, bucket }) {
  const who = actor.trim().toLowerCase();
  return (event) => (!who || event.actor.toLowerCase().includes(who))
    && (!bucket || event.target === 'bucket:' + bucket || event.target.startsWith('object:' + bucket + '/'));
}

/**
 * One page of events from `cursor` ({since, skip: ids at that instant already shown}). The API
 * filters by time and type; actor, bucket and the range's end are applied here, reading on in
 * batches until a page is full, so every page is complete whatever the filters.
 */
async function readPage(filters, cursor, system, tenant, signal) {
  const wanted = matcher(filters);
  const until = filters.until ? Date.parse(filters.until) : Infinity;
  const rows = [];
  let since = cursor.since;
  let skip = new Set(cursor.skip);
  for (;;) {
    const query = { since, type: filters.type, limit: BATCH, tenant: system ? tenant : undefined };
    const batch = (await get('/audit', { signal, query, noTenant: system })).events;
    const fresh = batch.filter((event) => !skip.has(event.id));
    for (const event of fresh) {
      if (Date.parse(event.at) > until) return { rows, next: null };
      skip = event.at === since ? new Set([...skip, event.id]) : new Set([event.id]);
      since = event.at;
      if (wanted(event)) {
        rows.push(event);
        if (rows.length === PAGE) return { rows, next: { since, skip: [...skip] } };
      }
    }
    if (batch.length < BATCH || !fresh.length) return { rows, next: null };
  }
}

/** The audit log with filters, oldest first from the chosen start, page by page. */
export function Audit({ user, where }) {
  const tenant = useTenant();
  const query = where.query;
  const filters = {
    type: query.get('type') || '', actor: query.get('actor') || '', bucket: query.get('bucket') || '',
    since: query.get('since') || new Date(Date.now() - 7 * 86400000).toISOString(), until: query.get('until') || '',
  };
  const [pages, setPages] = useState([]); // cursors of the pages before this one
  const cursor = query.get('cursor') ? JSON.parse(query.get('cursor')) : { since: filters.since, skip: [] };
  const loaded = useLoad((signal) => readPage(filters, cursor, user.system, tenant, signal),
    [tenant, where.query.toString()]);
  const show = (changes, keepPages = false) => {
    const next = new URLSearchParams({ ...filters, ...changes });
    [...next.keys()].filter((name) => !next.get(name)).forEach((name) => next.delete(name));
    if (!keepPages) setPages([]);
    navigate('/ui/audit?' + next, true);
  };
  const apply = (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    show({ type: form.get('type'), actor: form.get('actor').trim(), bucket: form.get('bucket').trim(),
      since: toInstant(form.get('since')) || filters.since, until: toInstant(form.get('until')), cursor: '' });
  };
  const page = loaded.data;
  return html`
    <section class="audit">
      <h1>Audit log</h1>
      <p class="muted">${user.system ? (tenant ? `Events of tenant ${tenant}.` : 'Events of every tenant and of the installation.')
        : 'Events of your tenant.'} Oldest first, from the start time.</p>
      <form class="card filters" onSubmit=${apply} aria-label="Filters" key=${where.query.toString()}>
        <label>Type <select name="type">
          <option value="">any</option>
          ${TYPES.map((type) => html`<option value=${type} selected=${type === filters.type}>${type}</option>`)}</select></label>
        <label>Actor contains <input name="actor" defaultValue=${filters.actor} placeholder="user:…, key:…, root" /></label>
        <label>Bucket <input name="bucket" defaultValue=${filters.bucket} placeholder="any" /></label>
        <label>From <input type="datetime-local" name="since" defaultValue=${toLocal(filters.since)} /></label>
        <label>To <input type="datetime-local" name="until" defaultValue=${filters.until ? toLocal(filters.until) : ''} /></label>
        <div class="actions"><button type="submit" class="primary">Filter</button>
          <button type="button" onClick=${() => show({ type: '', actor: '', bucket: '', until: '', cursor: '' })}>Clear</button></div>
      </form>
      <${ErrorText} error=${loaded.error} />
      ${loaded.loading && html`<p class="muted" role="status">Loading…</p>`}
      ${page && page.rows.length === 0 && html`<p class="empty">No events match. Widen the time range or clear the filters.</p>`}
      ${page && page.rows.length > 0 && html`
        <div class="table-wrap">
          <table class="events">
            <caption class="visually-hidden">Audit events</caption>
            <thead><tr><th scope="col">When</th><th scope="col">Type</th><th scope="col">Actor</th>
              <th scope="col">Target</th><th scope="col">Details</th></tr></thead>
            <tbody>
              ${page.rows.map((event) => html`
                <tr>
                  <td title=${event.at}>${formatInstant(event.at)}</td>
                  <td>${event.type}</td>
                  <td class="mono">${event.actor}</td>
                  <td class="mono">${event.target}</td>
                  <td>${Object.entries(event.details || {}).map(([name, value]) => html`<span class="detail">${name}=${value}</span> `)}</td>
                </tr>`)}
            </tbody>
          </table>
        </div>`}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled=${!pages.length} onClick=${() => {
          const before = pages.slice(0, -1);
          setPages(before);
          show({ cursor: pages[pages.length - 1] }, true);
        }}>Previous page</button>
        <button type="button" disabled=${!page || !page.next} onClick=${() => {
          setPages([...pages, query.get('cursor') || '']);
          show({ cursor: JSON.stringify(page.next) }, true);
        }}>Next page</button>
      </nav>
    </section>`;
}
