/** A list as people type it: items separated by commas, spaces or new lines. */
export function splitList(text) {
  return (text || '').split(/[\s,]+/).filter(Boolean);
}

/** The last segment of a key or folder prefix ("a/b/c.txt" → "c.txt", "a/b/" → "b"). */
export function baseName(key) {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
