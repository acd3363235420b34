// Everything the files screen does to objects, through the public /v1 API with the user's token.
import { call, get, post, patch, del, keyPath } from '../api.js';

const bucketPath = (bucket) => '/buckets/' + encodeURIComponent(bucket);
const objectPath = (bucket, key) => bucketPath(bucket) + '/objects/' + keyPath(key);

/** One page of a folder: `{objects, prefixes, nextCursor}`; never more than `limit` entries. */
export function listPage(bucket, prefix, cursor, limit, signal) {
  return get(bucketPath(bucket) + '/objects', { query: { prefix, delimiter: '/', limit, cursor }, signal });
}

/** One page of every object under `prefix`, subfolders included: `{objects, nextCursor}`. */
export function listKeys(bucket, prefix, cursor, limit, signal) {
  return get(bucketPath(bucket) + '/objects', { query: { prefix, limit, cursor }, signal });
}

/**
 * One object's description as a listing gives it (tags included, which HEAD does not carry):
 * the first key under the prefix `key` is `key` itself when it exists. Null when it does not.
 */
export async function describe(bucket, key, signal) {
  const page = await get(bucketPath(bucket) + '/objects', { query: { prefix: key, limit: 1 }, signal });
  return page.objects.length && page.objects[0].key === key ? page.objects[0] : null;
}

export function bucketSettings(bucket, signal) {
  return get(bucketPath(bucket), { signal });
}

/**
 * The same address on the origin this page was loaded from: the browser reached Granary there,
 * while the server builds signed URLs from its configured base or the Host it was called with,
 * which behind a proxy can be an internal name no one else can reach.
 */
export function onThisOrigin(url) {
  const parsed = new URL(url, location.origin);
  return location.origin + parsed.pathname + parsed.search;
}

/** A signed GET URL (`{url, expiresAt}`); `download` makes it save under that name. */
export async function signedUrl(bucket, key, { ttlSeconds = 300, download, signal } = {}) {
  const answer = await post(bucketPath(bucket) + '/signed-urls', { key, ttlSeconds, download }, { signal });
  return { url: onThisOrigin(answer.url), expiresAt: answer.expiresAt };
}

/** A public bucket's anonymous URL of `key` (see docs/api.md "Public buckets"). */
export function publicUrl(tenant, bucket, key) {
  return `${location.origin}/public/${encodeURIComponent(tenant)}/${encodeURIComponent(bucket)}/${keyPath(key)}`;
}

/**
 * Saves an object as a file. A link cannot carry the Authorization header, so it goes through a
 * short-lived signed URL whose Content-Disposition is attachment: the browser downloads it and
 * never renders it, so this tab stays on the dashboard whatever the object holds.
 */
export async function download(bucket, key, name) {
  const { url } = await signedUrl(bucket, key, { ttlSeconds: 60, download: name });
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/** The first `bytes` of an object as text (a ranged GET), and whether that was all of it. */
export async function readText(bucket, key, size, bytes, signal) {
  if (size === 0) return { text: '', complete: true };
  const response = await call('GET', objectPath(bucket, key), {
    headers: { Range: `bytes=0-${bytes - 1}` }, raw: true, signal,
  });
  return { text: await response.text(), complete: size <= bytes };
}

/**
 * A rendition (`transform`, e.g. {width: 150, format: 'auto'}) fetched with the token, as a
 * blob: URL the caller revokes. Thumbnails use it: one authenticated GET each, no signing.
 */
export async function renditionUrl(bucket, key, transform, signal) {
  const response = await call('GET', objectPath(bucket, key), {
    query: transform, headers: { Accept: 'image/webp,image/*;q=0.8' }, raw: true, signal,
  });
  return URL.createObjectURL(await response.blob());
}

export function changeObject(bucket, key, changes) {
  return patch(objectPath(bucket, key), changes);
}

/** Bulk delete in requests of at most 1000 keys; answers {deleted, errors} over all of them. */
export async function deleteKeys(bucket, keys, onProgress) {
  const deleted = [];
  const errors = [];
  for (let start = 0; start < keys.length; start += 1000) {
    const answer = await post(bucketPath(bucket) + '/delete', { keys: keys.slice(start, start + 1000) });
    deleted.push(...answer.deleted);
    errors.push(...answer.errors);
    if (onProgress) onProgress(deleted.length + errors.length, keys.length);
  }
  return { deleted, errors };
}

/**
 * Moves objects within the bucket: a server-side copy, then the delete of the source (the API
 * has no rename). A few at a time; a failed copy keeps its source. Answers the failures as
 * {key, detail}.
 */
export async function moveObjects(bucket, moves, onProgress) {
  const errors = [];
  let done = 0;
  const queue = moves.slice();
  const worker = async () => {
    for (let move = queue.shift(); move; move = queue.shift()) {
      try {
        await post(bucketPath(bucket) + '/copy', { sourceKey: move.from, key: move.to });
        await del(objectPath(bucket, move.from));
      } catch (error) {
        errors.push({ key: move.from, detail: error.detail || String(error) });
      }
      onProgress(++done, moves.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, moves.length) }, worker));
  return errors;
}

/**
 * A folder that exists before anything is put in it: a zero-byte object whose key ends in "/"
 * (a valid key; listings with the "/" delimiter show it as a folder, as S3 consoles do).
 * `If-None-Match: *` leaves an existing one alone.
 */
export function createFolder(bucket, prefix) {
  return call('PUT', objectPath(bucket, prefix), {
    body: new Blob([]), headers: { 'Content-Type': 'application/x-directory', 'If-None-Match': '*' },
  });
}
