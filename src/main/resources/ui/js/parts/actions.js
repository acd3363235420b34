// The dialogs of the files screen that change objects: delete, rename/move, new folder.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { Dialog } from './dialog.js';
import { ErrorText } from './error.js';
import { createFolder, deleteKeys, moveObjects } from './objects.js';

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
  return html`
    <label>${verb} ${progress.done} of ${progress.total}
      <progress max=${progress.total} value=${progress.done}></progress>
    </label>`;
}

/** Confirms, then deletes `keys` (in bulk requests); `onDone(deletedCount)` once finished. */
export function DeleteDialog({ bucket, keys, onClose, onDone }) {
  const [progress, setProgress] = useState(null);
  const [failures, setFailures] = useState([]);
  const [error, setError] = useState(null);
  const confirm = async () => {
    setError(null);
    setProgress({ done: 0, total: keys.length });
    try {
      const result = await deleteKeys(bucket, keys, (done, total) => setProgress({ done, total }));
      setFailures(result.errors);
      onDone(result.deleted.length, result.errors.length === 0);
    } catch (failed) {
      setError(failed);
      setProgress(null);
    }
  };
  const running = progress && progress.done < progress.total;
  return html`
    <${Dialog} title="Delete" onClose=${onClose}>
      <p>Delete ${keys.length === 1 ? 'this object' : `these ${keys.length} objects`}? This cannot be undone.</p>
      <${KeyList} keys=${keys} />
      <${Progress} progress=${progress} verb="Deleted" />
      <${Failures} failures=${failures} />
      <${ErrorText} error=${error} />
      <div class="buttons">
        <button type="button" onClick=${onClose}>${progress && !running ? 'Close' : 'Cancel'}</button>
        ${!progress && html`<button type="button" class="danger" onClick=${confirm}>Delete ${keys.length}</button>`}
      </div>
    </${Dialog}>`;
}

/**
 * Renames one object (a new key) or moves several into another folder, each as a copy and a
 * delete, showing progress; `folder` is the folder they are shown in.
 */
export function MoveDialog({ bucket, keys, folder, onClose, onDone }) {
  const single = keys.length === 1;
  const [target, setTarget] = useState(single ? keys[0] : folder);
  const [progress, setProgress] = useState(null);
  const [failures, setFailures] = useState([]);
  const submit = async (event) => {
    event.preventDefault();
    const into = target.trim() === '' || target.endsWith('/') ? target.trim() : target.trim() + '/';
    const moves = (single ? [{ from: keys[0], to: target.trim() }]
      : keys.map((key) => ({ from: key, to: into + key.slice(folder.length) })))
      .filter((move) => move.to && move.to !== move.from);
    setProgress({ done: 0, total: moves.length });
    const failed = await moveObjects(bucket, moves, (done, total) => setProgress({ done, total }));
    setFailures(failed);
    onDone(moves.length - failed.length, failed.length === 0);
  };
  const finished = progress && progress.done === progress.total;
  return html`
    <${Dialog} title=${single ? 'Rename or move' : 'Move'} onClose=${onClose}>
      <form onSubmit=${submit}>
        ${!single && html`<${KeyList} keys=${keys} />`}
        <label>${single ? 'New key (folders included)' : 'Into folder (empty for the top of the bucket)'}
          <input value=${target} required=${single} autofocus onInput=${(event) => setTarget(event.target.value)} />
        </label>
        <${Progress} progress=${progress} verb="Moved" />
        <${Failures} failures=${failures} />
        <div class="buttons">
          <button type="button" onClick=${onClose}>${finished ? 'Close' : 'Cancel'}</button>
          ${!progress && html`<button type="submit" class="primary">${single ? 'Rename' : `Move ${keys.length}`}</button>`}
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
