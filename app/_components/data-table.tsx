import type { ReactNode } from "react";

// The dashboard's list table: one place for its markup, so every list reads and behaves alike (a screen-reader
// caption, `scope="col"` headers, dividers between rows) and a page only says what its columns show.

export type Column<Row> = {
  header: ReactNode;
  /** The header's padding; by default every column but the last keeps room on its right. */
  headerClassName?: string;
  /** The classes of this column's cells. */
  className: string;
  /** A tooltip on the cell, e.g. the full value a cell shortens. */
  title?: (row: Row) => string | undefined;
  cell: (row: Row) => ReactNode;
};

export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  rowProps,
  scroll = true,
}: {
  /** Read by screen readers only. */
  caption: string;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string | number;
  rowProps?: (row: Row) => { "data-testid"?: string; className?: string };
  /** Wrap in a horizontally scrolling box (the default), so a list wider than a phone scrolls inside its card instead of widening the page. */
  scroll?: boolean;
}) {
  const table = (
    <table className="w-full text-left text-sm">
      <caption className="sr-only">{caption}</caption>
      <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
        <tr>
          {columns.map((column, i) => (
            <th key={i} scope="col" className={column.headerClassName ?? (i === columns.length - 1 ? "py-2" : "py-2 pr-4")}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((row) => (
          <tr key={rowKey(row)} {...rowProps?.(row)}>
            {columns.map((column, i) => (
              <td key={i} className={column.className} title={column.title?.(row)}>
                {column.cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
  // `relative`: a positioned box also clips absolutely positioned cells (an sr-only column header), which would
  // otherwise stand out past the box and widen the page.
  return scroll ? <div className="relative overflow-x-auto">{table}</div> : table;
}
