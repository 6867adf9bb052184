/**
 * RFC 4180 CSV: CRLF line ends, a field holding `,` `"` CR or LF is quoted with `"` doubled. A text cell a
 * spreadsheet would run as a formula (starting with `=` `+` `-` `@` TAB or CR) is prefixed with `'` (OWASP ASVS
 * 1.2.10); numbers are written as they are, so a negative number stays a number.
 */
export type CsvCell = string | number | null | undefined;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
