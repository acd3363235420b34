// Uploads go through XMLHttpRequest, not fetch: only XHR reports how many bytes of a request
// body were sent. Same credentials as api.js (its authHeaders, its refresh), same errors.
import { ApiError, authHeaders, resume } from '../api.js';

/** No answer at all (the connection failed or stalled): worth trying again. */
export class NetworkError extends Error {}

/** The caller cancelled the request. */
export class Cancelled extends Error {}

// A body that makes no progress this long is given up (a silently dropped connection would
// otherwise hang until the OS notices, minutes later); the caller retries.
const STALL_MS = 30000;

function problemOf(xhr) {
  try {
    return JSON.parse(xhr.responseText) || {};
  } catch (notJson) {
    return {};
  }
}

function once(method, url, headers, body, onProgress, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) {
      reject(new Cancelled('Cancelled.'));
      return;
    }
    const xhr = new XMLHttpRequest();
    let stall = null;
    let stalled = false;
    const watch = () => {
      clearTimeout(stall);
      stall = setTimeout(() => { stalled = true; xhr.abort(); }, STALL_MS);
    };
    const cancel = () => xhr.abort();
    const settle = () => {
      clearTimeout(stall);
      if (signal) signal.removeEventListener('abort', cancel);
    };
    xhr.open(method, url);
    Object.entries(headers).forEach(([name, value]) => xhr.setRequestHeader(name, String(value)));
    if (body) {
      xhr.upload.onprogress = (event) => {
        watch();
        if (onProgress) onProgress(event.loaded);
      };
      // All sent: the server may now take its time (publishing a large object), no stall watch.
      xhr.upload.onload = () => clearTimeout(stall);
      watch();
    }
    xhr.onload = () => { settle(); resolve(xhr); };
    xhr.onerror = () => { settle(); reject(new NetworkError('The connection to Granary was lost.')); };
    xhr.onabort = () => {
      settle();
      reject(stalled ? new NetworkError('The connection to Granary stalled.') : new Cancelled('Cancelled.'));
    };
    if (signal) signal.addEventListener('abort', cancel);
    xhr.send(body || null);
  });
}

/**
 * Sends a request with the user's credentials: `url` absolute or under the origin, `body` a Blob
 * (or nothing), `onProgress(sentBytes)` as the body goes out. An expired token is refreshed and
 * the request sent again. Answers the finished XHR (status below 400); throws ApiError with the
 * API's detail, NetworkError, or Cancelled when `signal` aborts it.
 */
export async function request(method, url, { headers = {}, body, onProgress, signal } = {}) {
  const send = async () => once(method, url, { ...(await authHeaders()), ...headers }, body, onProgress, signal);
  let xhr = await send();
  if (xhr.status === 401 && problemOf(xhr).code === 'token_expired' && (await resume())) {
    xhr = await send();
  }
  if (xhr.status === 0) {
    throw new NetworkError('The connection to Granary was lost.');
  }
  if (xhr.status >= 400) {
    throw new ApiError(xhr.status, problemOf(xhr));
  }
  return xhr;
}

/** Whether trying again may succeed: no answer, a server fault, or a conflict that passes. */
export function retriable(error) {
  return error instanceof NetworkError
    || (error instanceof ApiError && (error.status >= 500 || error.status === 423 || error.status === 409));
}

/** Waits `ms`, or rejects with Cancelled as soon as `signal` aborts. */
export function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { signal.removeEventListener('abort', stop); resolve(); }, ms);
    const stop = () => { clearTimeout(timer); reject(new Cancelled('Cancelled.')); };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}
