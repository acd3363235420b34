// A bucket's folder: the listing (paged, windowed), selection, and the object panel and dialogs.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { html } from '../html.js';
import { folderPath, navigate } from '../router.js';
import { ErrorText } from '../parts/error.js';
import { Breadcrumbs } from '../parts/breadcrumbs.js';
import { useListing } from '../parts/listing.js';
import { VirtualRows } from '../parts/virtual.js';
import { Thumbnail } from '../parts/thumbnail.js';
import { ObjectPanel } from '../parts/object-panel.js';
import { ShareDialog } from '../parts/share.js';
import { DeleteDialog, MoveDialog, NewFolderDialog } from '../parts/actions.js';
import { bucketSettings, download } from '../parts/objects.js';
import { baseName } from '../parts/text.js';
import { DropZone, UploadButton } from '../upload/pickers.js';
import { formatBytes } from '../parts/bytes.js';
import { formatInstant } from '../parts/dates.js';

const ROW_HEIGHT = 40;
const TILE = { width: 172, height: 196 };
const SORTS = {
  name: null, // the API's key order, folders first
  'name-desc': (a, b) => (a.key < b.key ? 1 : -1),
  size: (a, b) => a.size - b.size,
  'size-desc': (a, b) => b.size - a.size,
  modified: (a, b) => (a.lastModified < b.lastModified ? -1 : 1),
  'modified-desc': (a, b) => (a.lastModified < b.lastModified ? 1 : -1),
};

/** Folders then files, filtered by name and sorted, within what is loaded. */
function arrange(folders, files, filter, sort) {
  const needle = filter.trim().toLowerCase();
  const keep = needle ? (entry) => entry.name.toLowerCase().includes(needle) : null;
  let shownFolders = keep ? folders.filter(keep) : folders;
  let shownFiles = keep ? files.filter(keep) : files;
  if (SORTS[sort]) {
    shownFiles = shownFiles.slice().sort(SORTS[sort]);
    if (sort === 'name-desc') shownFolders = shownFolders.slice().reverse();
  }
  return shownFolders.concat(shownFiles);
}

/** A value that follows `value` once it has stopped changing for `delay` ms (typing). */
function useSettled(value, delay) {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/** The screen at /ui/b/:bucket/*prefix: one mounted folder per address (see Folder). */
export function Files({ bucket, prefix, where }) {
  const folder = prefix && !prefix.endsWith('/') ? prefix + '/' : prefix || '';
  // Keyed by folder: everything about the last folder (requests, selection, search) is dropped.
  return html`<${Folder} key=${bucket + '\n' + folder} bucket=${bucket} folder=${folder} open=${where.query.get('open')} />`;
}

function Folder({ bucket, folder, open }) {
  const [search, setSearch] = useState('');
  const listed = folder + useSettled(search, 250);
  const listing = useListing(bucket, folder, listed);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState('name');
  const [grid, setGrid] = useState(false);
  const [columns, setColumns] = useState(1);
  const [selected, setSelected] = useState(() => new Set());
  const [anchor, setAnchor] = useState(-1);
  const [active, setActive] = useState(-1);
  const [dialog, setDialog] = useState(null);
  const [settings, setSettings] = useState(null);
  const [notice, setNotice] = useState(null);
  const entries = useMemo(() => arrange(listing.folders, listing.files, filter, sort), [listing.folders, listing.files, filter, sort]);
  const here = folderPath(bucket, folder);

  useEffect(() => {
    const controller = new AbortController();
    bucketSettings(bucket, controller.signal).then(setSettings, () => {});
    return () => controller.abort();
  }, [bucket]);

  // Other parts of the dashboard (uploads) announce changes to a bucket with this event, one
  // per finished file: a burst of them lists the folder again once.
  useEffect(() => {
    const changed = (event) => { if (!event.detail || event.detail.bucket === bucket) listing.reloadSoon(); };
    window.addEventListener('granary:objects-changed', changed);
    return () => window.removeEventListener('granary:objects-changed', changed);
  }, [bucket, listing.reloadSoon]);

  const show = (key) => navigate(key ? `${here}?open=${encodeURIComponent(key)}` : here, true);
  const enter = (entry) => (entry.folder ? navigate(folderPath(bucket, entry.key)) : show(entry.key));

  const select = (index, { range, toggle }) => {
    const next = new Set(range || toggle ? selected : []);
    if (range && anchor >= 0) {
      const [from, to] = anchor < index ? [anchor, index] : [index, anchor];
      entries.slice(from, to + 1).forEach((entry) => next.add(entry.key));
    } else {
      const key = entries[index].key;
      if (next.has(key) && toggle) next.delete(key); else next.add(key);
      setAnchor(index);
    }
    setSelected(next);
  };
  const selectedKeys = [...selected];
  const selectedFiles = selectedKeys.filter((key) => !key.endsWith('/'));

  const onKeyDown = (event) => {
    const step = { ArrowDown: columns, ArrowUp: -columns, PageDown: 10 * columns, PageUp: -10 * columns }[event.key]
      ?? (grid ? { ArrowRight: 1, ArrowLeft: -1 }[event.key] : undefined);
    const last = entries.length - 1;
    let to = null;
    if (step !== undefined) to = Math.max(0, Math.min(last, (active < 0 ? -1 : active) + step));
    else if (event.key === 'Home') to = 0;
    else if (event.key === 'End') to = last;
    if (to !== null && last >= 0) {
      event.preventDefault();
      setActive(to);
      if (event.shiftKey) select(to, { range: true });
      return;
    }
    const current = entries[active];
    if (event.key === ' ' && current) {
      event.preventDefault();
      select(active, { range: event.shiftKey, toggle: !event.shiftKey });
    } else if (event.key === 'Enter' && current) {
      event.preventDefault();
      enter(current);
    } else if ((event.key === 'Delete') && selected.size) {
      setDialog({ kind: 'delete', keys: selectedKeys });
    } else if (event.key === 'a' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      setSelected(new Set(entries.filter((entry) => !entry.folder).map((entry) => entry.key)));
    } else if (event.key === 'Escape' && selected.size) {
      setSelected(new Set());
    } else if (event.key === 'Backspace' && folder) {
      navigate(folderPath(bucket, folder.slice(0, folder.slice(0, -1).lastIndexOf('/') + 1)));
    }
  };

  const item = (index) => {
    const entry = entries[index];
    const isSelected = selected.has(entry.key);
    const onClick = (event) => {
      setActive(index);
      if (event.target.type === 'checkbox') {
        select(index, { range: event.shiftKey, toggle: true });
      } else if (event.shiftKey || event.ctrlKey || event.metaKey) {
        event.preventDefault();
        select(index, { range: event.shiftKey, toggle: true });
      } else if (!event.target.closest('a')) {
        enter(entry);
      }
    };
    const classes = (grid ? 'tile' : 'file-row') + (index === active ? ' active' : '') + (isSelected ? ' selected' : '')
      + (entry.key === open ? ' opened' : '');
    return html`
      <div role="option" id=${'entry-' + index} key=${entry.key} class=${classes} aria-selected=${isSelected} onClick=${onClick}>
        <input type="checkbox" class="check" tabindex="-1" checked=${isSelected}
          aria-label=${(entry.folder ? 'Select folder ' : 'Select ') + entry.name} />
        ${grid ? html`<${Thumbnail} bucket=${bucket} object=${entry} />`
          : html`<span class=${'icon ' + (entry.folder ? 'folder' : 'file')} aria-hidden="true"></span>`}
        ${entry.folder ? html`<a class="name" tabindex="-1" href=${folderPath(bucket, entry.key)}>${entry.name}/</a>`
          : html`<span class="name" title=${entry.name}>${entry.name}</span>`}
        ${!grid && html`<span class="size">${entry.folder ? 'Folder' : formatBytes(entry.size)}</span>
          <span class="date">${formatInstant(entry.lastModified)}</span>`}
      </div>`;
  };

  const finish = (message) => {
    setDialog(null);
    setSelected(new Set());
    setNotice(message);
    listing.reload();
  };
  const onAction = (kind, object) => setDialog({ kind, keys: [object.key], object });
  const known = open ? listing.files.find((entry) => entry.key === open) : null;
  const loaded = listing.folders.length + listing.files.length;
  const empty = !listing.loading && !listing.error && listing.done && entries.length === 0;

  return html`
    <section class="files">
      <${Breadcrumbs} bucket=${bucket} prefix=${folder} />
      <h1>${folder ? baseName(folder) : bucket}</h1>
      <div class="toolbar" role="toolbar" aria-label="Folder">
        <label>Find names starting with
          <input type="search" value=${search} onInput=${(event) => setSearch(event.target.value)} placeholder="(lists from the server)" />
        </label>
        <label>Filter loaded
          <input type="search" value=${filter} onInput=${(event) => setFilter(event.target.value)} placeholder="part of a name" />
        </label>
        <label>Sort
          <select value=${sort} onChange=${(event) => setSort(event.target.value)}>
            <option value="name">Name (A–Z)</option><option value="name-desc">Name (Z–A)</option>
            <option value="size">Size (smallest)</option><option value="size-desc">Size (largest)</option>
            <option value="modified">Modified (oldest)</option><option value="modified-desc">Modified (newest)</option>
          </select>
        </label>
        <button type="button" aria-pressed=${grid} onClick=${() => setGrid(!grid)}>${grid ? 'List view' : 'Grid view'}</button>
        <button type="button" onClick=${() => setDialog({ kind: 'folder' })}>New folder</button>
        <${UploadButton} bucket=${bucket} prefix=${folder} />
      </div>
      ${selected.size > 0 && html`
        <div class="selection-bar" role="region" aria-label="Selection">
          <span>${selected.size} selected</span>
          ${selectedFiles.length > 0 && html`<button type="button"
            onClick=${() => selectedFiles.forEach((key) => download(bucket, key, baseName(key)).catch(setNotice))}>Download</button>`}
          <button type="button" onClick=${() => setDialog({ kind: 'move', keys: selectedKeys })}>${selected.size === 1 ? 'Rename' : 'Move'}</button>
          <button type="button" class="danger" onClick=${() => setDialog({ kind: 'delete', keys: selectedKeys })}>Delete</button>
          <button type="button" onClick=${() => setSelected(new Set())}>Clear</button>
        </div>`}
      ${notice && html`<p class="notice" role="status">${notice.detail || notice}</p>`}
      <div class=${'files-body' + (open ? ' with-panel' : '')}>
        <${DropZone} bucket=${bucket} prefix=${folder}><div class="listing">
          ${empty ? html`
            <p class="empty">${search || filter ? 'Nothing here matches.' : 'This folder is empty. Upload files into it, or create a folder.'}</p>`
          : html`
            <${VirtualRows} class=${'entries' + (grid ? ' grid' : '')} role="listbox" aria-multiselectable="true" tabindex="0"
              aria-label=${'Contents of ' + (folder || bucket)} aria-activedescendant=${active >= 0 ? 'entry-' + active : undefined}
              count=${entries.length} rowHeight=${grid ? TILE.height : ROW_HEIGHT} columnWidth=${grid ? TILE.width : undefined}
              onColumns=${setColumns} item=${item} active=${active} onKeyDown=${onKeyDown}
              onFocus=${() => active < 0 && entries.length && setActive(0)}
              onNearEnd=${listing.done ? undefined : listing.more} />`}
          <${ErrorText} error=${listing.error} />
          <div class="list-status">
            <span role="status">${listing.loading ? 'Loading…'
              : `${entries.length.toLocaleString()} shown of ${loaded.toLocaleString()} loaded${listing.done ? '' : ' (more in this folder)'}`}</span>
            ${!listing.done && html`<button type="button" onClick=${listing.more} disabled=${listing.loading}>Load more</button>`}
          </div>
          <p class="muted hint">Keys: arrows move, Space selects, Shift extends, Enter opens, Delete deletes, Ctrl+A selects all loaded, Backspace goes up. Drop files or folders here to upload them.</p>
        </div><//>
        ${open && html`
          <${ObjectPanel} bucket=${bucket} objectKey=${open} known=${known}
            rules=${settings && settings.lifecycleRules} onClose=${() => show(null)}
            onChanged=${listing.update} onAction=${onAction} />`}
      </div>
      ${dialog && dialog.kind === 'delete' && html`
        <${DeleteDialog} bucket=${bucket} keys=${dialog.keys} onClose=${() => setDialog(null)}
          onDone=${(count, clean) => { if (dialog.keys.includes(open)) show(null); if (clean) finish(`Deleted ${count}.`); else listing.reload(); }} />`}
      ${dialog && dialog.kind === 'move' && html`
        <${MoveDialog} bucket=${bucket} keys=${dialog.keys} folder=${folder} onClose=${() => setDialog(null)}
          onDone=${(count, clean) => { if (dialog.keys.includes(open)) show(null); if (clean) finish(`Moved ${count}.`); else listing.reload(); }} />`}
      ${dialog && dialog.kind === 'folder' && html`
        <${NewFolderDialog} bucket=${bucket} folder=${folder} onClose=${() => setDialog(null)}
          onDone=${(prefix) => { setDialog(null); navigate(folderPath(bucket, prefix)); }} />`}
      ${dialog && dialog.kind === 'share' && html`
        <${ShareDialog} bucket=${bucket} settings=${settings} object=${dialog.object} onClose=${() => setDialog(null)} />`}
    </section>`;
}
