// Sizes as people write them ("10 MB", "1.5 GiB") and as the API stores them (whole bytes).
// What a size field shows must read back to the same number, so fields use sizeText (exact),
// while tables use formatBytes (rounded).

const UNITS = [
  ['TiB', 1024n ** 4n], ['GiB', 1024n ** 3n], ['MiB', 1024n ** 2n], ['KiB', 1024n],
  ['TB', 1000n ** 4n], ['GB', 1000n ** 3n], ['MB', 1000n ** 2n], ['kB', 1000n],
];
const MULTIPLIERS = new Map([
  ['', 1n], ['b', 1n], ['byte', 1n], ['bytes', 1n],
  ...UNITS.map(([name, size]) => [name.toLowerCase(), size]),
  ...UNITS.map(([name, size]) => [name.toLowerCase().slice(0, -1), size]), // "10 m", "2 gi"
]);

/** A byte count rounded for reading: "1.5 MiB". */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const names = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1024;
    unit++;
  } while (value >= 1024 && unit < names.length - 1);
  return `${value >= 100 ? Math.round(value) : value.toFixed(1).replace(/\.0$/, '')} ${names[unit]}`;
}

/**
 * A byte count written exactly, with the unit that divides it into the smallest number:
 * 10485760 → "10 MiB", 2000000000 → "2 GB", 1100 → "1100".
 */
export function sizeText(bytes) {
  if (bytes === null || bytes === undefined) return '';
  const exact = BigInt(bytes);
  if (exact === 0n) return '0';
  const best = UNITS.filter(([, size]) => exact % size === 0n).sort(([, a], [, b]) => (a > b ? -1 : 1))[0];
  return best ? `${exact / best[1]} ${best[0]}` : `${exact}`;
}

/**
 * Reads a size: a whole number of bytes, or a number and a unit (kB, MB, GB, TB are powers of
 * 1000; KiB, MiB, GiB, TiB of 1024). Blank is null (no limit). Throws an Error with a sentence
 * for anything else, a fraction of a byte included.
 */
export function parseSize(text) {
  const trimmed = (text || '').trim();
  if (!trimmed) return null;
  const found = /^(\d+)(?:\.(\d+))?\s*([a-z]*)$/i.exec(trimmed);
  const multiplier = found && MULTIPLIERS.get(found[3].toLowerCase());
  if (!multiplier) {
    throw new Error(`"${trimmed}" is not a size: write bytes, or a number and a unit such as 10 MB or 1.5 GiB.`);
  }
  const fraction = found[2] || '';
  const scale = 10n ** BigInt(fraction.length);
  const scaled = (BigInt(found[1]) * scale + BigInt(fraction || 0)) * multiplier;
  if (scaled % scale !== 0n) {
    throw new Error(`"${trimmed}" is not a whole number of bytes.`);
  }
  const bytes = scaled / scale;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`"${trimmed}" is too large.`);
  }
  return Number(bytes);
}
