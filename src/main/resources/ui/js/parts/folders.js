// Folders as a whole: every object under a prefix, read a page at a time with the API's
// cursor (never the whole prefix in one call), each page changed before the next is read.
import { deleteKeys, listKeys, moveObjects } from './objects.js';
import { useLoad } from './load.js';

const PAGE = 1000;
/** Above this many objects (or when more than a page), deleting a folder asks for its name to be typed. */
const LARGE = 100;

export const isFolder = (key) => key.endsWith('/');

/** Runs `visit(keys)` on each page of the keys under `prefix`, in key order, one after the other. */
async function eachPage(bucket, prefix, visit) {
  let cursor = null;
  do {
    const page = await listKeys(bucket, prefix, cursor, PAGE);
    if (page.objects.length) await visit(page.objects.map((object) => object.key));
    cursor = page.nextCursor;
  } while (cursor);
}

/**
 * What one page tells of each folder in `prefixes`: `{data: [{count, more}], loading, error}`,
 * `more` when the folder holds more than a page (its count is then unknown).
 */
export function useFolderCounts(bucket, prefixes) {
  return useLoad((signal) => Promise.all(prefixes.map((prefix) => listKeys(bucket, prefix, null, PAGE, signal)
    .then((page) => ({ count: page.objects.length, more: Boolean(page.nextCursor) })))), [bucket, prefixes.join('\n')]);
}

/** The objects `files` and the counted folders add up to, or null while unknown. */
export function totalOf(files, counts) {
  if (!counts || counts.some((each) => each.more)) return null;
  return counts.reduce((sum, each) => sum + each.count, files);
}

/** Whether deleting these folders should wait for their name to be typed: many objects, or unknown. */
export function isLarge(counts) {
  return Boolean(counts) && (counts.some((each) => each.more) || counts.reduce((sum, each) => sum + each.count, 0) > LARGE);
}

/**
 * Deletes every object under `prefix` in bulk requests, `onPage(count)` after each; answers
 * `{deleted, errors}` over all of them (errors as the API gives them: key, code, detail).
 */
export async function deleteFolder(bucket, prefix, onPage) {
  const deleted = [];
  const errors = [];
  await eachPage(bucket, prefix, async (keys) => {
    const answer = await deleteKeys(bucket, keys);
    deleted.push(...answer.deleted);
    errors.push(...answer.errors);
    onPage(keys.length);
  });
  return { deleted, errors };
}

/**
 * Moves every object under `from` to the same place under `to`: a copy, then the delete of
 * that copied source only, `onEach()` after each object. Answers the failures as {key, detail}.
 * Refuses a move into itself, whose copies would be listed again.
 */
export async function moveFolder(bucket, from, to, onEach) {
  if (to.startsWith(from)) {
    throw new Error(`“${from}” cannot be moved into itself.`);
  }
  const failures = [];
  await eachPage(bucket, from, async (keys) => {
    failures.push(...await moveObjects(bucket, keys.map((key) => ({ from: key, to: to + key.slice(from.length) })), onEach));
  });
  return failures;
}
