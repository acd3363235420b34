// The panel beside the listing for one object: its preview, details and actions.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { ErrorText } from './error.js';
import { describe, download, signedUrl } from './objects.js';
import { Preview, opensInBrowser } from './preview.js';
import { Details } from './details.js';
import { baseName } from './text.js';

/**
 * `objectKey` of `bucket`: the listing's entry when it is loaded (`known`), else looked up (a
 * deep link to an object further down a large folder). `rules`: the bucket's lifecycle rules, for
 * when it expires. `onAction(kind, object)` asks the screen for the share, rename and delete dialogs.
 */
export function ObjectPanel({ bucket, objectKey, known, rules, onClose, onChanged, onAction }) {
  const [found, setFound] = useState(undefined);
  const [error, setError] = useState(null);
  useEffect(() => {
    setError(null);
    if (known) {
      setFound(known);
      return undefined;
    }
    setFound(undefined);
    const controller = new AbortController();
    describe(bucket, objectKey, controller.signal)
      .then(setFound, (failed) => failed.name !== 'AbortError' && setError(failed));
    return () => controller.abort();
  }, [bucket, objectKey, known]);

  const act = async (work) => {
    setError(null);
    try {
      await work();
    } catch (failed) {
      setError(failed);
    }
  };
  // A new tab, never this one, and only for types the browser shows passively (see preview.js).
  const openInTab = () => act(async () => {
    const { url } = await signedUrl(bucket, found.key, { ttlSeconds: 3600 });
    window.open(url + '&versionId=' + encodeURIComponent(found.versionId), '_blank', 'noopener,noreferrer');
  });
  return html`
    <aside class="object-panel" aria-label="Object">
      <header>
        <h2 class="key-line">${baseName(objectKey)}</h2>
        <button type="button" class="close" aria-label="Close the panel" onClick=${onClose}>×</button>
      </header>
      <${ErrorText} error=${error} />
      ${found === undefined && !error && html`<p class="muted" role="status">Loading…</p>`}
      ${found === null && html`<p class="error" role="alert">No object with key "${objectKey}": it may have been deleted or moved.</p>`}
      ${found && html`
        <div class="buttons">
          <button type="button" onClick=${() => act(() => download(bucket, found.key, baseName(found.key)))}>Download</button>
          ${opensInBrowser(found.contentType) && html`<button type="button" onClick=${openInTab}>Open in new tab</button>`}
          <button type="button" onClick=${() => onAction('share', found)}>Share</button>
          <button type="button" onClick=${() => onAction('move', found)}>Rename</button>
          <button type="button" class="danger" onClick=${() => onAction('delete', found)}>Delete</button>
        </div>
        <div class="preview"><${Preview} bucket=${bucket} object=${found} /></div>
        <${Details} bucket=${bucket} object=${found} rules=${rules} onChanged=${(changed) => { setFound(changed); onChanged(changed); }} />`}
    </aside>`;
}
