import { html } from '../html.js';
import { folderPath } from '../router.js';

/** Buckets › bucket › each folder of the prefix, each a link; the last one is the current page. */
export function Breadcrumbs({ bucket, prefix }) {
  const segments = prefix ? prefix.slice(0, -1).split('/') : [];
  const crumbs = [{ label: bucket, href: folderPath(bucket, '') }]
    .concat(segments.map((segment, index) => ({
      label: segment || '(empty name)', href: folderPath(bucket, segments.slice(0, index + 1).join('/') + '/'),
    })));
  return html`
    <nav class="crumbs" aria-label="Folder">
      <ol>
        <li><a href="/ui/buckets">Buckets</a></li>
        ${crumbs.map((crumb, index) => html`
          <li><a href=${crumb.href} aria-current=${index === crumbs.length - 1 ? 'page' : undefined}>${crumb.label}</a></li>`)}
      </ol>
    </nav>`;
}
