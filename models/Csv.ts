/**
 * The one CSV writer of every export (readings, history, progress): RFC 4180 fields, and text that a spreadsheet
 * would run as a formula (a cell starting with `=`, `+`, `-`, `@`, tab or carriage return, as OWASP lists them) made
 * inert with a leading `'`. Names in exports come from outside (an IFC storey, a device's operator id), so any of
 * them can be `=HYPERLINK(...)`. Numbers are written as they are: `-3.5` is a value, not a formula.
 */

/** One field: `null`/`undefined` empty, objects as JSON, guarded text, quoted when it holds a comma, quote or line break. */
export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v !== 'number' && typeof v !== 'bigint' && /^[=+@\t\r-]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line of fields, CRLF-terminated. */
export const csvLine = (cells: readonly unknown[]): string => cells.map(csvField).join(',') + '\r\n';
