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
