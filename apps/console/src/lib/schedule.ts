/** Scheduled-change helpers: the browser's local date-time input value <-> ISO-8601 (UTC) for the API. */

/** `YYYY-MM-DDTHH:MM:SS` in the browser's time zone (a datetime-local input's value). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

/** A datetime-local value (local time, as the operator typed it) as ISO-8601 UTC; throws on an empty/bad one. */
export function localInputToIso(value: string): string {
  const t = new Date(value).getTime();
  if (!value.trim() || !Number.isFinite(t)) throw new Error('Pick a date and time');
  return new Date(t).toISOString();
}

export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
