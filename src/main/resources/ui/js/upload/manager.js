// The uploads of this page, outside any view: they keep running while the user moves around
// the dashboard, and every view that shows them subscribes. At most CONCURRENCY files at a
// time; small files as one PUT, larger ones through tus so that they survive a dropped
// connection (by themselves) and a closed tab (once the user selects the file again).
import { ApiError, actingTenant, currentUser, keyPath, onSessionChange } from '../api.js';
import { Cancelled, request, retriable, pause } from './request.js';
import { create, send, terminate } from './tus.js';
import { forget, forgetUser, progressed, remember, sameFile, savedUploads } from './saved.js';

const CONCURRENCY = 3;
// Up to this size a file goes as one PUT: a lost connection costs little to send again.
export const SMALL = 8 * 1024 * 1024;
const PUT_ATTEMPTS = 4;
// Why a running upload is stopped without being terminated: the user logged out, and the token
// that would terminate it is gone.
const LEAVING = 'leaving';

let items = [];
let resumable = [];
let nextId = 1;
let running = 0;
let notifyTimer = null;
let speedTimer = null;
const listeners = new Set();

/** Calls `listener` whenever the uploads change; answers the unsubscribe function. */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed() {
  clearTimeout(notifyTimer);
  notifyTimer = null;
  listeners.forEach((listener) => listener());
}

// Progress events come by the hundred a second; views need a few.
function changedSoon() {
  if (!notifyTimer) notifyTimer = setTimeout(changed, 200);
}

const finished = (item) => item.state === 'done' || item.state === 'failed' || item.state === 'cancelled';

/**
 * What views show: the uploads ({id, name, bucket, key, size, sent, state: queued | running |
 * retrying | done | failed | cancelled, error, speed, eta, resumedFrom, attempt}), the totals
 * ({count, done, failed, active, size, sent, speed, eta}) and the uploads of an earlier page
 * that can be resumed ({url, bucket, key, name, size, offset}).
 */
export function uploads() {
  const counted = items.filter((item) => item.state !== 'cancelled' && item.state !== 'failed');
  const size = counted.reduce((sum, item) => sum + item.size, 0);
  const sent = counted.reduce((sum, item) => sum + (item.state === 'done' ? item.size : item.sent), 0);
  const speed = items.reduce((sum, item) => sum + (item.state === 'running' ? item.speed : 0), 0);
  return {
    items,
    resumable,
    totals: {
      count: items.length,
      done: items.filter((item) => item.state === 'done').length,
      failed: items.filter((item) => item.state === 'failed').length,
      active: items.filter((item) => !finished(item)).length,
      size,
      sent,
      speed,
      eta: speed > 0 ? (size - sent) / speed : null,
    },
  };
}

/**
 * Queues files for `bucket`: each of `entries` is {file, path}, the path relative to the folder
 * the user chose or dropped (just the name for single files); its key is `prefix` + path.
 */
export function enqueue(bucket, prefix, entries) {
  const base = prefix && !prefix.endsWith('/') ? prefix + '/' : prefix || '';
  entries.forEach(({ file, path }) => items.push(newItem(file, bucket, base + path, null)));
  changed();
  pump();
}

function newItem(file, bucket, key, url) {
  return {
    id: nextId++, file, name: file.name, bucket, key, size: file.size, sent: 0, state: 'queued', error: null,
    speed: 0, eta: null, url, resumedFrom: null, attempt: 0, controller: null, lastSent: 0,
  };
}

function pump() {
  while (running < CONCURRENCY) {
    const item = items.find((candidate) => candidate.state === 'queued');
    if (!item) break;
    running++;
    run(item);
  }
  if (running > 0 && !speedTimer) speedTimer = setInterval(measure, 1000);
}

// Speed: bytes per second over the last second, smoothed so that the ETA does not jump about.
function measure() {
  items.filter((item) => item.state === 'running' || item.state === 'retrying').forEach((item) => {
    const now = Math.max(0, item.sent - item.lastSent);
    item.lastSent = item.sent;
    item.speed = item.speed ? 0.6 * item.speed + 0.4 * now : now;
    item.eta = item.speed > 0 ? (item.size - item.sent) / item.speed : null;
  });
  if (running === 0) {
    clearInterval(speedTimer);
    speedTimer = null;
  }
  changed();
}

async function run(item) {
  item.state = 'running';
  item.error = null;
  item.controller = new AbortController();
  const signal = item.controller.signal;
  changed();
  try {
    if (item.size <= SMALL && !item.url) {
      await putWhole(item, signal);
    } else {
      await viaTus(item, signal);
    }
    item.state = 'done';
    item.sent = item.size;
    // An open folder of this bucket lists the new object.
    window.dispatchEvent(new CustomEvent('granary:objects-changed', { detail: { bucket: item.bucket } }));
  } catch (error) {
    if (signal.aborted && signal.reason === LEAVING) {
      // Logged out: the server lets it expire.
    } else if (error instanceof Cancelled || signal.aborted) {
      item.state = 'cancelled';
      if (item.url) {
        forget(item.url);
        terminate(item.url).catch(() => {});
      }
    } else {
      item.state = 'failed';
      item.error = error;
      // A refusal (rules, quota) ends the upload; one that gave up on the network stays
      // resumable, by Retry or after a reload.
      if (item.url && !retriable(error)) {
        forget(item.url);
        terminate(item.url).catch(() => {});
        item.url = null;
      }
    }
  } finally {
    item.speed = 0;
    item.eta = null;
    running--;
    changed();
    pump();
  }
}

async function putWhole(item, signal) {
  const headers = item.file.type ? { 'Content-Type': item.file.type } : {};
  for (let attempt = 1; ; attempt++) {
    try {
      await request('PUT', '/v1/buckets/' + encodeURIComponent(item.bucket) + '/objects/' + keyPath(item.key), {
        headers, body: item.file, signal, onProgress: (sent) => { item.sent = sent; changedSoon(); },
      });
      return;
    } catch (error) {
      if (!retriable(error) || attempt >= PUT_ATTEMPTS) throw error;
      retrying(item, attempt, error);
      await pause(1000 * attempt, signal);
      item.state = 'running';
    }
  }
}

function retrying(item, attempt, error) {
  item.state = 'retrying';
  item.attempt = attempt;
  item.error = error;
  changed();
}

async function viaTus(item, signal) {
  const resuming = Boolean(item.url);
  if (!item.url) {
    item.url = await create(item.bucket, item.key, item.size, item.file.type, signal);
    const user = currentUser();
    remember({
      user: user && user.id, tenant: actingTenant(), bucket: item.bucket, key: item.key, name: item.name,
      size: item.size, lastModified: item.file.lastModified, type: item.file.type, url: item.url, offset: 0,
    });
  }
  const events = {
    onOffset: (offset) => {
      if (resuming && item.resumedFrom === null) item.resumedFrom = offset;
      item.sent = offset;
      item.state = 'running';
      item.error = null;
      progressed(item.url, offset);
      changedSoon();
    },
    onProgress: (sent) => { item.sent = sent; changedSoon(); },
    onRetry: (attempt, error) => retrying(item, attempt, error),
  };
  try {
    await exclusively(item.url, () => send(item.url, item.file, signal, events));
  } catch (error) {
    // Resuming an upload the server no longer has (expired, swept): start it again.
    if (resuming && item.resumedFrom === null && error instanceof ApiError && (error.status === 404 || error.status === 410)) {
      forget(item.url);
      item.url = null;
      item.resumedFrom = 0;
      return viaTus(item, signal);
    }
    throw error;
  }
  forget(item.url);
}

// Another tab of the same browser must not offer to resume what this one is sending.
function exclusively(url, work) {
  return navigator.locks ? navigator.locks.request('granary-upload ' + url, work) : work();
}

async function held() {
  if (!navigator.locks) return new Set();
  const state = await navigator.locks.query();
  return new Set(state.held.map((lock) => lock.name));
}

/** Reads which uploads of an earlier page (a reload, a closed tab) the current user can resume. */
export async function findResumable() {
  const user = currentUser();
  if (!user) return;
  const busy = await held();
  const here = new Set(items.map((item) => item.url));
  resumable = savedUploads(user.id, actingTenant())
    .filter((record) => !here.has(record.url) && !busy.has('granary-upload ' + record.url));
  changed();
}

/**
 * Resumes the uploads whose files are among `files` (same name, size and modification time);
 * answers the names of the files that matched none.
 */
export function resumeWith(files) {
  const unmatched = [];
  Array.from(files).forEach((file) => {
    const record = resumable.find((candidate) => sameFile(candidate, file));
    if (!record) {
      unmatched.push(file.name);
      return;
    }
    resumable = resumable.filter((other) => other !== record);
    items.push(newItem(file, record.bucket, record.key, record.url));
  });
  changed();
  pump();
  return unmatched;
}

/** Gives up an upload of an earlier page: the server frees its bytes. */
export function discard(url) {
  resumable = resumable.filter((record) => record.url !== url);
  forget(url);
  terminate(url).catch(() => {});
  changed();
}

export function cancel(id) {
  const item = items.find((candidate) => candidate.id === id);
  if (!item || finished(item)) return;
  if (item.state === 'queued') {
    item.state = 'cancelled';
    changed();
  } else {
    item.controller.abort();
  }
}

export function cancelAll() {
  items.forEach((item) => cancel(item.id));
}

/** Sends a failed upload again (a tus upload from where the server is). */
export function retry(id) {
  const item = items.find((candidate) => candidate.id === id);
  if (item && item.state === 'failed') {
    item.state = 'queued';
    item.error = null;
    changed();
    pump();
  }
}

/** Removes the finished uploads from the list. */
export function clearFinished() {
  items = items.filter((item) => !finished(item));
  changed();
}

// Logging out stops everything this page sends and forgets the user's interrupted uploads (the
// server frees their bytes when they expire): nothing of the session stays in the browser.
let lastUser = null;
onSessionChange((claims) => {
  if (claims) {
    lastUser = claims.id;
    return;
  }
  items.forEach((item) => item.controller && item.controller.abort(LEAVING));
  items = [];
  resumable = [];
  if (lastUser) forgetUser(lastUser);
  changed();
});
