// Dates as the API writes them (ISO-8601 in UTC) and as people read them (their own time zone).

/** An instant for a table: local date and time, to the minute. */
export function formatInstant(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A UTC day as YYYY-MM-DD, `days` after today (negative: before). */
export function utcDay(days = 0) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

/** Seconds → "45 s", "3 min", "2 h 5 min". */
export function formatDuration(seconds) {
  if (seconds < 60) return Math.max(1, Math.round(seconds)) + ' s';
  if (seconds < 3600) return Math.round(seconds / 60) + ' min';
  return Math.floor(seconds / 3600) + ' h ' + Math.round((seconds % 3600) / 60) + ' min';
}
