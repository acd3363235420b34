// The dialogs of the files screen that change objects: delete, rename/move, new folder.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { Dialog } from './dialog.js';
import { ErrorText } from './error.js';
import { createFolder, deleteKeys, moveObjects } from './objects.js';
import { deleteFolder, isFolder, isLarge, moveFolder, totalOf, useFolderCounts } from './folders.js';
import { baseName } from './text.js';

const SHOWN = 8;

function KeyList({ keys }) {
  return html`
    <ul class="key-list">
      ${keys.slice(0, SHOWN).map((key) => html`<li>${key}</li>`)}
      ${keys.length > SHOWN && html`<li class="muted">and ${keys.length - SHOWN} more</li>`}
    </ul>`;
}

function Failures({ failures }) {
  if (!failures.length) return null;
  return html`
    <div role="alert">
      <p class="error">${failures.length} could not be changed:</p>
      <ul class="key-list">${failures.slice(0, SHOWN).map((failure) => html`<li><b>${failure.key}</b>: ${failure.detail}</li>`)}</ul>
    </div>`;
}

function Progress({ progress, verb }) {
  if (!progress) return null;
  const known = progress.total !== null;
  return html`
    <label>${verb} ${progress.done.toLocaleString()}${known ? ` of ${progress.total.toLocaleString()}` : ''}
      <progress max=${known ? progress.total : undefined} value=${known ? progress.done : undefined}></progress>
    </label>`;
}

const plural = (count, one, many) => `${count.toLocaleString()} ${count === 1 ? one : many}`;

/** "folder “a/” with 3 objects" for each folder, as far as its count is known. */
function folderText(prefix, counted) {
  const size = !counted ? '(counting…)' : counted.more ? 'with more than 1,000 objects'
    : `with ${plural(counted.count, 'object', 'objects')}`;
  return `folder “${prefix}” ${size}`;
}

/** What a delete or move covers, in words. */
function coverage(files, folders, counts) {
  const parts = files.length ? [plural(files.length, 'object', 'objects')] : [];
  folders.forEach((prefix, index) => parts.push(folderText(prefix, counts && counts[index])));
  return parts.join(' and ');
}

/**
 * Confirms, then deletes `keys` (in bulk requests); a folder's key (ending in "/") stands for
 * every object under it, listed and deleted a page at a time. A folder of many objects (or of
 * more than a page) waits for its name to be typed. `onDone(deletedCount, clean)` once finished.
 */
export function DeleteDialog({ bucket, keys, onClose, onDone }) {
  const folders = keys.filter(isFolder);
  const files = keys.filter((key) => !isFolder(key));
  const counts = useFolderCounts(bucket, folders);
  const [progress, setProgress] = useState(null);
  const [failures, setFailures] = useState([]);
  const [error, setError] = useState(null);
  const [typed, setTyped] = useState('');
  const total = totalOf(files.length, counts.data);
  const word = isLarge(counts.data) ? (folders.length === 1 ? baseName(folders[0]) : plural(folders.length, 'folder', 'folders')) : null;
  const confirm = async () => {
    setError(null);
    let done = 0;
    const step = (count) => setProgress({ done: (done += count), total });
    setProgress({ done: 0, total });
    const deleted = [];
    const errors = [];
    try {
      const results = files.length ? [await deleteKeys(bucket, files)] : [];
      step(files.length);
      for (const prefix of folders) results.push(await deleteFolder(bucket, prefix, step));
      results.forEach((result) => { deleted.push(...result.deleted); errors.push(...result.errors); });
      setProgress({ done, total: done });
      setFailures(errors);
      onDone(deleted.length, errors.length === 0);
    } catch (failed) {
      setError(failed);
      setProgress(null);
    }
  };
  const running = progress && progress.done !== progress.total;
  const ready = !counts.loading && !counts.error && (!word || typed === word);
  return html`
    <${Dialog} title="Delete" onClose=${onClose}>
      <p>${folders.length ? `Delete ${coverage(files, folders, counts.data)}?`
        : `Delete ${keys.length === 1 ? 'this object' : `these ${keys.length} objects`}?`} This cannot be undone.</p>
      <${KeyList} keys=${keys} />
      ${word && !progress && html`
        <label><span>Type <strong>${word}</strong> to confirm</span>
          <input value=${typed} onInput=${(event) => setTyped(event.target.value)} autocomplete="off" spellcheck="false" name="confirm" />
        </label>`}
      <${Progress} progress=${progress} verb="Deleted" />
      <${Failures} failures=${failures} />
      <${ErrorText} error=${error || counts.error} />
      <div class="buttons">
        <button type="button" onClick=${onClose}>${progress && !running ? 'Close' : 'Cancel'}</button>
        ${!progress && html`<button type="button" class="danger" disabled=${!ready} onClick=${confirm}>
          ${counts.loading ? 'Counting…' : `Delete ${total === null ? 'all' : total.toLocaleString()}`}</button>`}
      </div>
    </${Dialog}>`;
}

/** A folder prefix from what was typed: "" (the top of the bucket) or ending in "/". */
const asFolder = (text) => (text === '' || text.endsWith('/') ? text : text + '/');

/**
 * Renames one object or folder (a new key or folder path) or moves several into another
 * folder, each object as a copy and a delete, showing progress; a folder moves with every
 * object under it, a page at a time. `folder` is the folder they are shown in.
 */
export function MoveDialog({ bucket, keys, folder, onClose, onDone }) {
  const single = keys.length === 1;
  const folders = keys.filter(isFolder);
  const files = keys.filter((key) => !isFolder(key));
  const counts = useFolderCounts(bucket, folders);
  const [target, setTarget] = useState(single ? keys[0] : folder);
  const [progress, setProgress] = useState(null);
  const [failures, setFailures] = useState([]);
  const [error, setError] = useState(null);
  const submit = async (event) => {
    event.preventDefault();
    const wanted = target.trim();
    const into = asFolder(wanted);
    const moves = (single ? [{ from: keys[0], to: folders.length ? asFolder(wanted) : wanted }]
      : keys.map((key) => ({ from: key, to: into + key.slice(folder.length) })))
      .filter((move) => move.to && move.to !== move.from);
    const fileMoves = moves.filter((move) => !isFolder(move.from));
    const folderMoves = moves.filter((move) => isFolder(move.from));
    const inside = folderMoves.find((move) => move.to.startsWith(move.from));
    if (inside) {
      setError(new Error(`“${inside.from}” cannot be moved into itself.`));
      return;
    }
    const total = totalOf(fileMoves.length, counts.data);
    let done = 0;
    const onEach = () => setProgress({ done: ++done, total });
    setError(null);
    setProgress({ done: 0, total });
    const failed = [];
    let stopped = null;
    try {
      failed.push(...await moveObjects(bucket, fileMoves, onEach));
      for (const move of folderMoves) failed.push(...await moveFolder(bucket, move.from, move.to, onEach));
    } catch (listing) {
      stopped = listing; // a page could not be listed: what was moved stays moved
      setError(listing);
    }
    setFailures(failed);
    setProgress({ done, total: done });
    onDone(done - failed.length, failed.length === 0 && !stopped);
  };
  const finished = progress && progress.done === progress.total;
  const label = single ? (folders.length ? 'New folder path' : 'New key (folders included)')
    : 'Into folder (empty for the top of the bucket)';
  return html`
    <${Dialog} title=${single ? 'Rename or move' : 'Move'} onClose=${onClose}>
      <form onSubmit=${submit}>
        ${folders.length > 0 && html`<p>Moves ${coverage(files, folders, counts.data)}.</p>`}
        ${!single && html`<${KeyList} keys=${keys} />`}
        <label>${label}
          <input value=${target} required=${single} autofocus onInput=${(event) => setTarget(event.target.value)} />
        </label>
        <${Progress} progress=${progress} verb="Moved" />
        <${Failures} failures=${failures} />
        <${ErrorText} error=${error || counts.error} />
        <div class="buttons">
          <button type="button" onClick=${onClose}>${finished ? 'Close' : 'Cancel'}</button>
          ${!progress && html`<button type="submit" class="primary" disabled=${counts.loading}>${single ? 'Rename' : `Move ${keys.length}`}</button>`}
        </div>
      </form>
    </${Dialog}>`;
}

/** Creates a folder (a "name/" marker object) in `folder`; `onDone(prefix)` with its prefix. */
export function NewFolderDialog({ bucket, folder, onClose, onDone }) {
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event) => {
    event.preventDefault();
    const prefix = folder + name.trim().replace(/\/+$/, '') + '/';
    setBusy(true);
    setError(null);
    try {
      await createFolder(bucket, prefix);
      onDone(prefix);
    } catch (failed) {
      setError(failed);
      setBusy(false);
    }
  };
  return html`
    <${Dialog} title="New folder" onClose=${onClose}>
      <form onSubmit=${submit}>
        <label>Folder name <input value=${name} required autofocus onInput=${(event) => setName(event.target.value)} /></label>
        <p class="muted">An empty folder is kept as a zero-byte object named "${folder}${name || 'name'}/".</p>
        <${ErrorText} error=${error} />
        <div class="buttons">
          <button type="button" onClick=${onClose}>Cancel</button>
          <button type="submit" class="primary" disabled=${busy}>Create</button>
        </div>
      </form>
    </${Dialog}>`;
}
