import "server-only";
import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { auditLog, type AuditEntry } from "../schema";

export type AuditInput = {
  actorUserId: string | null;
  actorLabel: string;
  action: string;
  targetType?: string;
  targetId?: string;
  hubId?: string;
  detail?: Record<string, unknown>;
  ip?: string | null;
};

export async function insertAuditEntry({ db, entry }: { db: Executor; entry: AuditInput }): Promise<void> {
  await db.insert(auditLog).values({
    actorUserId: entry.actorUserId,
    actorLabel: entry.actorLabel,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    hubId: entry.hubId ?? null,
    detail: entry.detail ?? {},
    ip: entry.ip ?? null,
  });
}

export type AuditFilter = {
  action?: string;
  actorUserId?: string;
  targetType?: string;
  targetId?: string;
  hubId?: string;
  since?: Date;
  until?: Date;
};

/** The id of the last row seen: ids are issued in insertion order, and a Date would lose PostgreSQL's microseconds. */
export type AuditCursor = { id: number };

/** Newest first, keyset-paged on id. */
export async function listAuditEntries({
  db,
  filter,
  after,
  limit,
}: {
  db: Executor;
  filter: AuditFilter;
  after?: AuditCursor;
  limit: number;
}): Promise<{ rows: AuditEntry[]; next: AuditCursor | null }> {
  const where: SQL[] = [];
  if (filter.action) where.push(eq(auditLog.action, filter.action));
  if (filter.actorUserId) where.push(eq(auditLog.actorUserId, filter.actorUserId));
  if (filter.targetType) where.push(eq(auditLog.targetType, filter.targetType));
  if (filter.targetId) where.push(eq(auditLog.targetId, filter.targetId));
  if (filter.hubId) where.push(eq(auditLog.hubId, filter.hubId));
  if (filter.since) where.push(gte(auditLog.at, filter.since));
  if (filter.until) where.push(lt(auditLog.at, filter.until));
  if (after) where.push(lt(auditLog.id, after.id));
  const rows = await db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return { rows: page, next: more && last ? { id: last.id } : null };
}

export async function listAuditActions({ db }: { db: Executor }): Promise<string[]> {
  const rows = await db
    .selectDistinct({ action: auditLog.action })
    .from(auditLog)
    .orderBy(sql`1`);
  return rows.map((r) => r.action);
}
