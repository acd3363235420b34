import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { get } from '../api.js';
import { folderPath } from '../router.js';
import { ErrorText } from '../parts/error.js';

/** The tenant's buckets, each a link to its files. */
export function Buckets() {
  const [buckets, setBuckets] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    get('/buckets').then((page) => setBuckets(page.buckets), setError);
  }, []);
  return html`
    <section>
      <h1>Buckets</h1>
      <${ErrorText} error=${error} />
      ${buckets && buckets.length === 0 && html`<p class="empty">No buckets yet.</p>`}
      ${buckets && html`
        <ul class="buckets">
          ${buckets.map((bucket) => html`<li><a href=${folderPath(bucket.name, '')}>${bucket.name}</a></li>`)}
        </ul>`}
    </section>`;
}
