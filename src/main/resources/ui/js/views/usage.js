import { html } from '../html.js';
import { get } from '../api.js';
import { navigate } from '../router.js';
import { ErrorText } from '../parts/error.js';
import { useLoad } from '../parts/load.js';
import { ChooseTenant, useTenant } from '../parts/tenant.js';
import { formatBytes } from '../parts/bytes.js';
import { utcDay } from '../parts/dates.js';
import { DailyChart } from '../parts/chart.js';

const count = (value) => Math.round(value).toLocaleString();
const SERIES = [
  ['bytes', 'Bytes stored', formatBytes],
  ['objects', 'Objects stored', count],
  ['requests', 'Requests', count],
  ['bytesDownloaded', 'Bytes downloaded', formatBytes],
];
const RANGES = [[7, '7 days'], [30, '30 days'], [90, '90 days'], [365, '1 year']];

/** Daily usage of the tenant or one bucket, as charts and as a table; the address holds the choices. */
export function Usage({ where }) {
  const tenant = useTenant();
  const bucket = where.query.get('bucket') || '';
  const from = where.query.get('from') || utcDay(-29);
  const to = where.query.get('to') || utcDay(0);
  const choose = (changes) => {
    const query = new URLSearchParams({ bucket, from, to, ...changes });
    if (!query.get('bucket')) query.delete('bucket');
    navigate('/ui/usage?' + query, true);
  };
  const totals = useLoad((signal) => (tenant ? get('/usage', { signal }) : null), [tenant]);
  const history = useLoad((signal) => (tenant ? get('/usage/history', { signal, query: { from, to, bucket } }) : null),
    [tenant, bucket, from, to]);
  if (!tenant) return html`<section><h1>Usage</h1><${ChooseTenant} what="its usage" /></section>`;
  const buckets = totals.data ? Object.keys(totals.data.buckets || {}).sort() : [];
  const now = totals.data && (bucket ? (totals.data.buckets || {})[bucket] : totals.data.tenant);
  const days = history.data && history.data.days;
  return html`
    <section class="usage">
      <h1>Usage</h1>
      <form class="filters" aria-label="What to show" onSubmit=${(event) => event.preventDefault()}>
        <label>Of
          <select value=${bucket} onChange=${(event) => choose({ bucket: event.target.value })}>
            <option value="">the whole tenant ${tenant}</option>
            ${buckets.map((name) => html`<option value=${name}>bucket ${name}</option>`)}
          </select></label>
        <label>From <input type="date" value=${from} max=${to} onChange=${(event) => event.target.value && choose({ from: event.target.value })} /></label>
        <label>To <input type="date" value=${to} min=${from} onChange=${(event) => event.target.value && choose({ to: event.target.value })} /></label>
        <div class="quick" role="group" aria-label="Last">
          ${RANGES.map(([length, label]) => html`
            <button type="button" onClick=${() => choose({ from: utcDay(1 - length), to: utcDay(0) })}
              aria-pressed=${from === utcDay(1 - length) && to === utcDay(0)}>${label}</button>`)}
        </div>
      </form>
      ${now && html`<p class="muted">${`Now: ${formatBytes(now.bytes)}${now.quotaBytes !== null ? ' of ' + formatBytes(now.quotaBytes) : ''}, `
        + `${count(now.objects)} objects${now.quotaObjects !== null ? ' of ' + count(now.quotaObjects) : ''}. Days are UTC days.`}</p>`}
      <${ErrorText} error=${history.error || totals.error} />
      ${history.loading && !days && html`<p class="muted" role="status">Loading…</p>`}
      ${days && html`
        <div class="charts" aria-busy=${history.loading}>
          ${SERIES.map(([field, title, format]) => html`<${DailyChart} title=${title} days=${days} field=${field} format=${format} />`)}
        </div>
        <details class="figures">
          <summary>The figures as a table</summary>
          <div class="table-wrap">
            <table>
              <caption>Daily usage of ${bucket ? 'bucket ' + bucket : 'tenant ' + tenant}, ${from} to ${to}</caption>
              <thead><tr><th scope="col">Day</th>${SERIES.map(([, title]) => html`<th scope="col" class="num">${title}</th>`)}</tr></thead>
              <tbody>
                ${days.map((day) => html`<tr><th scope="row">${day.date}</th>${SERIES.map(([field, , format]) => html`
                  <td class="num">${day[field] === null || day[field] === undefined ? '—' : format(day[field])}</td>`)}</tr>`)}
              </tbody>
            </table>
          </div>
        </details>`}
    </section>`;
}
