// Files as the user gave them, each with its path relative to what was chosen: a dropped or
// picked folder keeps its structure in the keys.

/** The files of a picker: a folder picker (webkitdirectory) gives each one's relative path. */
export function pickedFiles(fileList) {
  return Array.from(fileList, (file) => ({ file, path: file.webkitRelativePath || file.name }));
}

function fileOf(entry) {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

function batch(reader) {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry, path, found) {
  if (entry.isFile) {
    found.push({ file: await fileOf(entry), path: path + entry.name });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    // readEntries answers in batches (100 at a time in Chromium) until an empty one.
    for (let entries = await batch(reader); entries.length > 0; entries = await batch(reader)) {
      for (const child of entries) {
        await walk(child, path + entry.name + '/', found);
      }
    }
  }
}

/**
 * The files of a drop, folders walked recursively. The entries must be taken from the event
 * at once (the DataTransfer is emptied when the handler returns), the walk may come later.
 */
export function droppedEntries(dataTransfer) {
  const items = Array.from(dataTransfer.items || []).filter((item) => item.kind === 'file');
  const entries = items.map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry());
  if (entries.length === 0 || entries.some((entry) => !entry)) {
    // A browser without entries: the files alone, no folders.
    return Promise.resolve(pickedFiles(dataTransfer.files));
  }
  return (async () => {
    const found = [];
    for (const entry of entries) {
      await walk(entry, '', found);
    }
    return found;
  })();
}
