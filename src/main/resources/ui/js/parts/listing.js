// A folder's contents, page by page with the API's cursor: never the whole prefix in one call.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { listPage } from './objects.js';
import { baseName } from './text.js';

// A small first page puts rows on screen fast; later pages are as large as the API allows.
const FIRST_PAGE = 200;
const NEXT_PAGE = 1000;
// Announced changes (a burst of finished uploads) wait this long for the next before listing again.
const RELOAD_DELAY = 500;

const EMPTY = { folders: [], files: [], cursor: null, done: false, loading: true, error: null };

/**
 * The entries under `prefix` (folders and files, each {key, name, folder, ...object}), loaded a
 * page at a time: `more()` asks for the next page (at most one request at a time). A change of
 * bucket or prefix aborts the request in flight, so a late answer can never show another folder
 * and no spinner waits for a request that was dropped. `reload()` lists again from the start;
 * `update(object)` replaces one loaded file's description (after a change of its metadata).
 * `reloadSoon()` is `reload()` for announced changes: a burst of calls lists again once,
 * RELOAD_DELAY ms after the last, and while a first page is on its way it is listed again once
 * that page has landed, never a second request beside it.
 * `folder` is the folder shown: names are relative to it, and its own marker object is hidden.
 */
export function useListing(bucket, folder, prefix) {
  const [state, setState] = useState(EMPTY);
  const [generation, setGeneration] = useState(0);
  const session = useRef(null);

  const timer = useRef(null);

  /** Ends a page's request; a change announced while a first page was on its way lists again. */
  const settle = (current) => {
    current.loading = false;
    if (current.again) setGeneration((value) => value + 1);
  };

  const fetchPage = useCallback((current) => {
    if (current.loading || current.done || session.current !== current) return;
    current.loading = true;
    setState((before) => ({ ...before, loading: true, error: null }));
    const limit = current.cursor ? NEXT_PAGE : FIRST_PAGE;
    listPage(bucket, prefix, current.cursor, limit, current.controller.signal).then((page) => {
      if (session.current !== current) return;
      settle(current);
      current.cursor = page.nextCursor;
      current.done = !page.nextCursor;
      const folders = page.prefixes.map((key) => ({ key, name: baseName(key), folder: true }));
      const files = page.objects.filter((object) => object.key !== folder)
        .map((object) => ({ ...object, name: object.key.slice(folder.length), folder: false }));
      setState((before) => ({
        folders: folders.length ? before.folders.concat(folders) : before.folders,
        files: files.length ? before.files.concat(files) : before.files,
        cursor: page.nextCursor, done: current.done, loading: false, error: null,
      }));
    }, (error) => {
      if (session.current !== current || error.name === 'AbortError') return;
      settle(current);
      setState((before) => ({ ...before, loading: false, error }));
    });
  }, [bucket, folder, prefix]);

  useEffect(() => {
    const current = { controller: new AbortController(), cursor: null, done: false, loading: false };
    session.current = current;
    setState(EMPTY);
    fetchPage(current);
    return () => current.controller.abort();
  }, [fetchPage, generation]);

  const more = useCallback(() => fetchPage(session.current), [fetchPage]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  const reloadSoon = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const current = session.current;
      if (current && current.loading && !current.cursor) current.again = true; else reload();
    }, RELOAD_DELAY);
  }, [reload]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const update = useCallback((object) => setState((before) => ({
    ...before, files: before.files.map((file) => (file.key === object.key ? { ...file, ...object } : file)),
  })), []);
  return { ...state, more, reload, reloadSoon, update };
}
