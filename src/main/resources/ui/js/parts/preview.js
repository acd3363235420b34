// What an object looks like, without ever running its content in the dashboard's origin.
//
// - Images go through renditions (docs/images.md) at a signed URL an <img> can load: images
//   never run script. SVG is shown as its source text instead, as is every other active type
//   (HTML, XML, JavaScript): as text in a <pre>, escaped by Preact.
// - A PDF needs the browser's viewer, which Chromium refuses to start in a sandboxed frame (a
//   frame with `sandbox`, any flags, shows only a "blocked" page). So the frame is not
//   sandboxed, and is made safe another way: it is only used for an object whose stored type is
//   application/pdf, which Granary serves as exactly that type with `nosniff` (and whose bytes
//   it checked to be a PDF on upload), and its URL names the version (`versionId`), so if the
//   key is replaced meanwhile by something else the URL answers 404 instead of other content.
// - Video and audio stream from a signed URL (ranges work). Text: the first 256 KiB.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { ErrorText } from './error.js';
import { readText, signedUrl } from './objects.js';
import { formatBytes } from './bytes.js';

export const TEXT_PREVIEW_BYTES = 262144;

const mediaType = (type) => (type || '').split(';')[0].trim().toLowerCase();
const RASTER = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);
const TEXT = /^(text\/|application\/(json|xml|javascript|x-yaml|yaml|x-ndjson|csv|sql|x-sh|toml)$|application\/.*\+(json|xml)$|image\/svg\+xml$)/;

/** How an object of this type is previewed: 'image', 'video', 'audio', 'pdf', 'text' or null. */
export function previewKind(type) {
  const media = mediaType(type);
  if (RASTER.has(media)) return 'image';
  if (media.startsWith('video/')) return 'video';
  if (media.startsWith('audio/')) return 'audio';
  if (media === 'application/pdf') return 'pdf';
  return TEXT.test(media) ? 'text' : null;
}

/** Whether the renditions can make a thumbnail of this type. */
export const hasThumbnail = (type) => RASTER.has(mediaType(type));

/**
 * Types a new tab may show: passive content the browser renders itself. Anything else (HTML,
 * SVG, XML... which would run in this origin) is only ever downloaded.
 */
export function opensInBrowser(type) {
  const media = mediaType(type);
  return RASTER.has(media) || media === 'application/pdf' || media === 'text/plain' || media === 'text/csv'
    || media === 'application/json' || media.startsWith('video/') || media.startsWith('audio/');
}

function TextPreview({ bucket, object }) {
  const [state, setState] = useState(null);
  useEffect(() => {
    const controller = new AbortController();
    setState(null);
    readText(bucket, object.key, object.size, TEXT_PREVIEW_BYTES, controller.signal)
      .then((text) => setState({ text }), (error) => error.name !== 'AbortError' && setState({ error }));
    return () => controller.abort();
  }, [bucket, object.key, object.etag]);
  if (!state) return html`<p class="muted" role="status">Loading…</p>`;
  if (state.error) return html`<${ErrorText} error=${state.error} />`;
  return html`
    <pre class="text-preview" tabindex="0" aria-label="Contents">${state.text.text}</pre>
    ${!state.text.complete && html`<p class="muted">The first ${formatBytes(TEXT_PREVIEW_BYTES)} of ${formatBytes(object.size)}.</p>`}`;
}

/** The preview of `object` (a listing entry), or a note that there is none. */
export function Preview({ bucket, object }) {
  const kind = previewKind(object.contentType);
  const [url, setUrl] = useState(null);
  const [error, setError] = useState(null);
  const [original, setOriginal] = useState(false);
  const needsUrl = kind && kind !== 'text';
  useEffect(() => {
    setUrl(null);
    setError(null);
    setOriginal(false);
    if (!needsUrl) return undefined;
    const controller = new AbortController();
    signedUrl(bucket, object.key, { ttlSeconds: 3600, signal: controller.signal })
      .then((link) => setUrl(link.url + '&versionId=' + encodeURIComponent(object.versionId)),
        (failed) => failed.name !== 'AbortError' && setError(failed));
    return () => controller.abort();
  }, [bucket, object.key, object.versionId, needsUrl]);

  if (!kind) return html`<p class="muted">No preview for ${object.contentType}. Download it to open it.</p>`;
  if (kind === 'text') return html`<${TextPreview} bucket=${bucket} object=${object} />`;
  if (error) return html`<${ErrorText} error=${error} />`;
  if (!url) return html`<p class="muted" role="status">Loading…</p>`;
  switch (kind) {
    case 'image':
      // A rendition sized for the panel; the original if the renditions cannot make one.
      return html`<img class="preview-image" alt=${'Preview of ' + object.key}
                       src=${original ? url : url + '&width=800&format=auto'} onError=${() => setOriginal(true)} />`;
    case 'video':
      return html`<video class="preview-media" controls preload="metadata" src=${url} aria-label=${'Video ' + object.key}></video>`;
    case 'audio':
      return html`<audio controls preload="metadata" src=${url} aria-label=${'Audio ' + object.key}></audio>`;
    default:
      return html`<iframe class="preview-pdf" title=${'PDF ' + object.key} src=${url} referrerpolicy="no-referrer"></iframe>`;
  }
}
