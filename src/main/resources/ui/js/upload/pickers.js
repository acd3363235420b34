// The ways to start uploads into a bucket folder, for any screen that shows one: buttons that
// open the file and folder pickers, and a drop zone around the screen's content.
import { useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { enqueue } from './manager.js';
import { droppedEntries, pickedFiles } from './entries.js';

function where(bucket, prefix) {
  return prefix ? bucket + '/' + prefix : bucket;
}

/** A hidden file input opened by a real button (keyboard and screen readers reach the button). */
export function Picker({ label, folder, onFiles, className }) {
  const input = useRef(null);
  const picked = (event) => {
    if (event.target.files.length > 0) onFiles(event.target.files);
    event.target.value = '';
  };
  return html`
    <button type="button" class=${className} onClick=${() => input.current.click()}>${label}</button>
    <input ref=${input} type="file" class="picker" multiple webkitdirectory=${folder || undefined}
      tabindex="-1" aria-hidden="true" data-picker=${folder ? 'folder' : 'files'} onChange=${picked} />`;
}

/** "Upload files" and "Upload folder" for `bucket` at `prefix` ('' for the top). */
export function UploadButton({ bucket, prefix = '' }) {
  const add = (files) => enqueue(bucket, prefix, pickedFiles(files));
  return html`
    <span class="upload-buttons">
      <${Picker} label="Upload files" className="primary" onFiles=${add} />
      <${Picker} label="Upload folder" folder onFiles=${add} />
    </span>`;
}

const carriesFiles = (event) => Array.from(event.dataTransfer.types || []).includes('Files');

/**
 * Wraps `children`: files and folders dropped anywhere on it are uploaded to `bucket` at
 * `prefix`, folders with their relative paths.
 */
export function DropZone({ bucket, prefix = '', children }) {
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them to know when it really left.
  const depth = useRef(0);
  const enter = (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth.current++;
    setOver(true);
  };
  const overZone = (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  };
  const leave = () => {
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setOver(false);
  };
  const drop = (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth.current = 0;
    setOver(false);
    droppedEntries(event.dataTransfer).then((entries) => enqueue(bucket, prefix, entries));
  };
  return html`
    <div class=${'dropzone' + (over ? ' over' : '')} onDragEnter=${enter} onDragOver=${overZone}
      onDragLeave=${leave} onDrop=${drop}>
      ${children}
      ${over && html`<div class="drop-hint" aria-hidden="true">Drop to upload to ${where(bucket, prefix)}</div>`}
    </div>`;
}
