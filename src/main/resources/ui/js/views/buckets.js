import { html } from '../html.js';
import { get } from '../api.js';
import { folderPath } from '../router.js';
import { ErrorText } from '../parts/error.js';
import { useLoad } from '../parts/load.js';
import { ChooseTenant, useTenant } from '../parts/tenant.js';
import { formatBytes } from '../parts/bytes.js';
import { formatInstant } from '../parts/dates.js';

/** A figure and its quota, if any: "1.2 MiB of 10 MiB". */
function withQuota(value, quota, format) {
  return quota === null || quota === undefined ? format(value) : `${format(value)} of ${format(quota)}`;
}

const count = (value) => (value === null || value === undefined ? '—' : value.toLocaleString());

/** The tenant's buckets with what they hold; each name opens its files, "Settings" its settings. */
export function Buckets({ user }) {
  const tenant = useTenant();
  const loaded = useLoad(async (signal) => {
    if (!tenant) return null;
    // Settings and figures come from two routes; the figures' failure must not hide the list.
    const [list, usage] = await Promise.all([get('/buckets', { signal }),
      get('/usage', { signal }).catch(() => ({ buckets: {} }))]);
    return { buckets: list.buckets, usage: usage.buckets || {} };
  }, [tenant]);
  const data = loaded.data;
  return html`
    <section>
      <div class="heading">
        <h1>Buckets</h1>
        ${tenant && user.admin && html`<a class="button primary" href="/ui/buckets/new">New bucket</a>`}
      </div>
      ${!tenant && html`<${ChooseTenant} what="its buckets" />`}
      <${ErrorText} error=${loaded.error} />
      ${loaded.loading && !data && tenant && html`<p class="muted" role="status">Loading…</p>`}
      ${data && data.buckets.length === 0 && html`
        <p class="empty">No buckets yet. ${user.admin ? html`Create one with “New bucket”.` : 'Ask an admin of the tenant to create one.'}</p>`}
      ${data && data.buckets.length > 0 && html`
        <div class="table-wrap">
          <table class="buckets">
            <caption class="visually-hidden">Buckets of tenant ${tenant}</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Visibility</th><th scope="col" class="num">Objects</th>
              <th scope="col" class="num">Size</th><th scope="col">Created</th>${user.admin && html`<th scope="col"><span class="visually-hidden">Actions</span></th>`}</tr></thead>
            <tbody>
              ${data.buckets.map((bucket) => {
                const usage = data.usage[bucket.name] || {};
                return html`
                  <tr>
                    <th scope="row"><a href=${folderPath(bucket.name, '')}>${bucket.name}</a></th>
                    <td>${bucket.visibility}</td>
                    <td class="num">${withQuota(usage.objects, bucket.quotaObjects, count)}</td>
                    <td class="num">${withQuota(usage.bytes, bucket.quotaBytes, formatBytes)}</td>
                    <td>${formatInstant(bucket.createdAt)}</td>
                    ${user.admin && html`<td><a href=${'/ui/buckets/' + encodeURIComponent(bucket.name) + '/settings'}
                        aria-label=${'Settings of ' + bucket.name}>Settings</a></td>`}
                  </tr>`;
              })}
            </tbody>
          </table>
        </div>`}
    </section>`;
}
