// An object's details, and the attributes the API lets one change without re-uploading.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { ErrorText } from './error.js';
import { changeObject } from './objects.js';
import { PairsEditor, toMap, toRows } from './pairs.js';
import { formatBytes } from './bytes.js';
import { formatInstant } from './dates.js';
import { expiryOf } from './lifecycle-rules.js';

/**
 * Size, type, ETag, times (with when the bucket's lifecycle `rules` delete it), and a form for
 * cache control, user metadata and tags (PATCH).
 */
export function Details({ bucket, object, rules, onChanged }) {
  const [cacheControl, setCacheControl] = useState('');
  const [metadata, setMetadata] = useState([]);
  const [tags, setTags] = useState([]);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setCacheControl(object.cacheControl || '');
    setMetadata(toRows(object.metadata));
    setTags(toRows(object.tags));
  }, [object]);
  useEffect(() => {
    setError(null);
    setSaved(null);
  }, [object.key]);
  const save = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const changed = await changeObject(bucket, object.key, {
        cacheControl: cacheControl.trim() === '' ? null : cacheControl.trim(),
        metadata: toMap(metadata),
        tags: toMap(tags),
      });
      setSaved('Saved.');
      onChanged(changed);
    } catch (failed) {
      setError(failed);
    }
    setBusy(false);
  };
  const expiry = expiryOf(rules, object);
  return html`
    <dl class="details">
      <dt>Size</dt><dd>${formatBytes(object.size)}</dd>
      <dt>Type</dt><dd>${object.contentType}</dd>
      <dt>ETag</dt><dd class="mono">${object.etag}</dd>
      <dt>Last modified</dt><dd>${formatInstant(object.lastModified)}</dd>
      <dt>Version</dt><dd class="mono">${object.versionId}</dd>
      ${expiry && html`<dt>Expires</dt><dd>after ${formatInstant(expiry.at.toISOString())} (lifecycle rule ${expiry.rule})</dd>`}
    </dl>
    <form class="edit-details" onSubmit=${save} aria-label="Change details">
      <label>Cache control <input value=${cacheControl} placeholder="(the bucket's)" onInput=${(event) => setCacheControl(event.target.value)} /></label>
      <${PairsEditor} label="Metadata" rows=${metadata} onChange=${setMetadata} />
      <${PairsEditor} label="Tags" rows=${tags} onChange=${setTags} />
      <${ErrorText} error=${error} />
      <button type="submit" disabled=${busy}>${busy ? 'Saving…' : 'Save details'}</button>
      <span class="muted" role="status">${saved}</span>
    </form>`;
}
