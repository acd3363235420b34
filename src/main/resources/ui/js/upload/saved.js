// What survives a closed tab: each unfinished tus upload's address and the facts that identify
// its file again ({user, tenant, bucket, key, name, size, lastModified, type, url, offset}).
// No credential is kept: the tus URL is useless without the user's Authorization header.
const STORE = 'granary.uploads';

function read() {
  try {
    return JSON.parse(localStorage.getItem(STORE)) || [];
  } catch (unreadable) {
    return [];
  }
}

function write(records) {
  try {
    localStorage.setItem(STORE, JSON.stringify(records));
  } catch (full) {
    // Without room the upload still runs; it just cannot be resumed after a reload.
  }
}

/** The records of `user` (its id) in `tenant`. */
export function savedUploads(user, tenant) {
  return read().filter((record) => record.user === user && record.tenant === tenant);
}

/** Adds or replaces the record of `record.url`. */
export function remember(record) {
  write([...read().filter((other) => other.url !== record.url), record]);
}

/** Notes the offset the server confirmed. */
export function progressed(url, offset) {
  write(read().map((record) => (record.url === url ? { ...record, offset } : record)));
}

/** Forgets every record of `user`: logging out leaves nothing of the user's uploads behind. */
export function forgetUser(user) {
  write(read().filter((record) => record.user !== user));
}

export function forget(url) {
  write(read().filter((record) => record.url !== url));
}

/** Whether `file` is the file of `record`, as far as a browser can tell. */
export function sameFile(record, file) {
  return record.name === file.name && record.size === file.size && record.lastModified === file.lastModified;
}
