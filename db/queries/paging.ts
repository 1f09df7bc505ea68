import "server-only";
import { sql, type AnyColumn, type SQL } from "drizzle-orm";

/**
 * Keyset cursor over (timestamp, uuid), newest first. The timestamp travels as PostgreSQL's own text so no
 * microseconds are lost (a JS Date keeps milliseconds only, and rows would repeat or vanish between pages).
 */
export type Cursor = { at: string; id: string };

const CURSOR_RE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?\+00)~([0-9a-f-]{36})$/;

export function encodeCursor(cursor: Cursor): string {
  return `${cursor.at}~${cursor.id}`;
}

export function decodeCursor(value: string | undefined | null): Cursor | undefined {
  const m = value ? CURSOR_RE.exec(value) : null;
  return m ? { at: m[1]!, id: m[2]! } : undefined;
}

/** `(at, id) < cursor`, for ORDER BY at DESC, id DESC. */
export function beforeCursor(at: AnyColumn, id: AnyColumn, cursor: Cursor): SQL {
  return sql`(${at}, ${id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`;
}

/** The column as UTC text with microseconds, to build the next cursor from. */
export function cursorText(at: AnyColumn): SQL<string> {
  return sql<string>`to_char(${at} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'`;
}

export function pageOf<T extends { cursorAt: string; id: string }>(rows: T[], limit: number): { rows: T[]; next: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return { rows: page, next: more && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null };
}
