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
  'bucket_presets_changed', 'bucket_lifecycle_changed', 'lifecycle_applied', 'signed_url_issued', 'upload_created',
  'signing_key_rotated', 'signing_key_retired', 'login', 'login_failed', 'logout', 'refresh_token_reused', 'user_created',
  'user_updated', 'user_deleted', 'issuer_registered', 'issuer_removed', 'denied_burst'];
const PAGE = 50;

/** A <input type=datetime-local> value (local time) as an ISO instant, and back. */
const toInstant = (local) => (local ? new Date(local).toISOString() : '');
const toLocal = (iso) => {
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
};

/** One page of events from the API's `cursor` (empty: the first): the server applies every filter. */
function readPage(filters, cursor, system, tenant, signal) {
  const query = { ...filters, cursor, limit: PAGE, tenant: system ? tenant : undefined };
  return get('/audit', { signal, query, noTenant: system })
    .then((answer) => ({ rows: answer.events, next: answer.nextCursor }));
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
  const cursor = query.get('cursor') || '';
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
        <label>Actor <input name="actor" defaultValue=${filters.actor} placeholder="user:…, key:…, root"
          title="Exactly as the Actor column shows it; choose one there" /></label>
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
                  <td class="mono"><button type="button" class="link" title="Show only this actor's events"
                    onClick=${() => show({ actor: event.actor, cursor: '' })}>${event.actor}</button></td>
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
          show({ cursor: page.next }, true);
        }}>Next page</button>
      </nav>
    </section>`;
}
