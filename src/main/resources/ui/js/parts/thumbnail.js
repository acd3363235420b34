// A ~150 px rendition of an image for the grid, fetched with the token while the tile is shown.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { renditionUrl } from './objects.js';
import { hasThumbnail } from './preview.js';

export function Thumbnail({ bucket, object }) {
  const [src, setSrc] = useState(null);
  const [failed, setFailed] = useState(false);
  const wanted = !object.folder && hasThumbnail(object.contentType) && object.size > 0;
  useEffect(() => {
    if (!wanted) return undefined;
    const controller = new AbortController();
    let made = null;
    // Only tiles in view exist (the grid is windowed), and leaving view aborts their request.
    renditionUrl(bucket, object.key, { width: 150, height: 150, fit: 'cover', format: 'auto' }, controller.signal)
      .then((url) => { made = url; setSrc(url); }, (error) => error.name !== 'AbortError' && setFailed(true));
    return () => {
      controller.abort();
      if (made) URL.revokeObjectURL(made);
    };
  }, [bucket, object.key, object.etag, wanted]);
  if (src) return html`<img class="thumb" src=${src} alt="" />`;
  return html`<span class=${'thumb icon ' + (object.folder ? 'folder' : 'file') + (failed ? ' failed' : '')} aria-hidden="true"></span>`;
}
