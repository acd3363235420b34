/** A list as people type it: items separated by commas, spaces or new lines. */
export function splitList(text) {
  return (text || '').split(/[\s,]+/).filter(Boolean);
}
