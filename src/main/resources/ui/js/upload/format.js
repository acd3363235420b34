// Sizes, speeds and times left as people read them.
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 → "1.5 KB" (powers of 1024, one decimal below 10). */
export function bytes(count) {
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return (unit === 0 || value >= 10 ? Math.round(value) : value.toFixed(1)) + ' ' + UNITS[unit];
}

/** Seconds → "45 s", "3 min", "2 h 5 min". */
export function duration(seconds) {
  if (seconds < 60) return Math.max(1, Math.round(seconds)) + ' s';
  if (seconds < 3600) return Math.round(seconds / 60) + ' min';
  return Math.floor(seconds / 3600) + ' h ' + Math.round((seconds % 3600) / 60) + ' min';
}
