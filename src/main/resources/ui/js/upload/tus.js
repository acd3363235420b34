// A small tus 1.0.0 client for Granary's /v1/tus/{bucket} (no browser tus library comes as a
// Maven artifact): creation, PATCHes in chunks, HEAD to learn the offset after any failure,
// termination. See docs/api.md, "Resumable uploads (tus)".
import { request, retriable, pause } from './request.js';

const TUS = { 'Tus-Resumable': '1.0.0' };

// A multiple of Granary's part size (8 MiB by default): a PATCH ends on a part boundary, so the
// server never has to keep a partial tail between two PATCHes.
export const CHUNK = 16 * 1024 * 1024;

// Back-off between attempts; the last delay repeats. Given up after MAX_FAILURES in a row
// without progress (about five minutes), or at once on a refusal that will not pass.
const DELAYS = [500, 1000, 2000, 4000, 8000, 15000];
const MAX_FAILURES = 25;

function base64(text) {
  return btoa(Array.from(new TextEncoder().encode(text), (byte) => String.fromCharCode(byte)).join(''));
}

/** Creates the upload of `size` bytes to `key`; answers its URL. */
export async function create(bucket, key, size, contentType, signal) {
  const metadata = [['key', key], ['contentType', contentType]].filter(([, value]) => value)
    .map(([name, value]) => name + ' ' + base64(value)).join(',');
  const xhr = await request('POST', '/v1/tus/' + encodeURIComponent(bucket), {
    headers: { ...TUS, 'Upload-Length': size, 'Upload-Metadata': metadata }, signal,
  });
  return new URL(xhr.getResponseHeader('Location'), location.origin).href;
}

/** The bytes the server holds of the upload at `url`. */
export async function offsetOf(url, signal) {
  const xhr = await request('HEAD', url, { headers: TUS, signal });
  return Number(xhr.getResponseHeader('Upload-Offset'));
}

/** Ends the upload at `url` and frees what it stored (termination). */
export function terminate(url) {
  return request('DELETE', url, { headers: TUS });
}

/**
 * Sends `file` to the upload at `url` from the server's offset to the end, in CHUNK-sized
 * PATCHes; the last one publishes the object. After a network error, a server fault or a
 * conflict it waits, asks the server where to go on (HEAD) and goes on from there.
 * `events.onOffset(offset)` after each stored chunk, `events.onProgress(bytes)` as bytes go out,
 * `events.onRetry(attempt, error)` before each wait. Throws the refusal (ApiError) that ended it,
 * or Cancelled.
 */
export async function send(url, file, signal, events) {
  let offset = null;
  let failures = 0;
  while (offset === null || offset < file.size) {
    try {
      if (offset === null) {
        offset = await offsetOf(url, signal);
        events.onOffset(offset);
        continue;
      }
      const from = offset;
      const xhr = await request('PATCH', url, {
        headers: { ...TUS, 'Upload-Offset': from, 'Content-Type': 'application/offset+octet-stream' },
        body: file.slice(from, Math.min(from + CHUNK, file.size)),
        onProgress: (sent) => events.onProgress(from + sent),
        signal,
      });
      offset = Number(xhr.getResponseHeader('Upload-Offset'));
      failures = 0;
      events.onOffset(offset);
    } catch (error) {
      if (!retriable(error) || ++failures > MAX_FAILURES) throw error;
      events.onRetry(failures, error);
      await pause(DELAYS[Math.min(failures, DELAYS.length) - 1], signal);
      offset = null;
    }
  }
}
