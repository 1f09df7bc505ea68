import { stringify } from "csv-stringify/sync";

// CSV for the list exports (docs/exports.md). Pure: no database, no Next.js, so a unit test covers every rule.

/**
 * A spreadsheet runs a cell as a formula when it starts with one of these (OWASP "CSV Injection"); a tab or a
 * carriage return in front is skipped by some importers, which then see the formula behind it.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A phone number or a plain number ("+4915123456789", "-3", "+1 (555) 010-0000") starts with + or - but holds no
 * name a spreadsheet could call: it stays as it is, so numbers remain readable and searchable in the file.
 */
const PLAIN_NUMBER = /^[+-]?[0-9][0-9 ().\-/]*$/;

/** The cell as text, with a leading apostrophe where a spreadsheet would otherwise run it as a formula. */
export function safeCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = value instanceof Date ? value.toISOString() : typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) return `'${text}`;
  return text;
}

/** Rows as CSV text (RFC 4180: quoted where needed, CRLF line ends), every cell through safeCell. */
export function csvRows(rows: readonly (readonly unknown[])[]): string {
  return stringify(
    rows.map((row) => row.map(safeCell)),
    // CRLF between records (RFC 4180), and any cell holding a CR or LF quoted: with record_delimiter set,
    // csv-stringify quotes only the full CRLF unless told (https://csv.js.org/stringify/options/quote_record_delimiter/).
    { record_delimiter: "windows", quote_record_delimiter: true },
  );
}

/** The header line, with a UTF-8 byte order mark so spreadsheet programs read names with accents correctly. */
export function csvHeader(columns: readonly string[]): string {
  return `\uFEFF${csvRows([columns])}`;
}
