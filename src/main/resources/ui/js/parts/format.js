// How sizes, times and names of objects read on screen.

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function formatSize(bytes) {
  if (bytes === undefined || bytes === null) return '';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** An ISO instant in the user's locale and time zone. */
export function formatDate(iso) {
  return iso ? dateFormat.format(new Date(iso)) : '';
}

/** The last segment of a key or folder prefix ("a/b/c.txt" → "c.txt", "a/b/" → "b"). */
export function baseName(key) {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
