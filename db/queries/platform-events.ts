import { and, asc, eq, gt, gte, lt, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { platformEvents, type PlatformEvent } from "../schema";

export type NewPlatformEvent = Pick<PlatformEvent, "type" | "hubId" | "subjectType" | "subjectId" | "data"> & { dedupeKey?: string };

/** Undefined when an event with the same dedupe key exists already. */
export async function insertPlatformEvent({ db, event }: { db: Executor; event: NewPlatformEvent }): Promise<{ id: string; seq: number } | undefined> {
  const [row] = await db
    .insert(platformEvents)
    .values(event)
    .onConflictDoNothing({ target: platformEvents.dedupeKey })
    .returning({ id: platformEvents.id, seq: platformEvents.seq });
  return row;
}

export async function findPlatformEvent({ db, id }: { db: Executor; id: string }): Promise<PlatformEvent | undefined> {
  const [row] = await db.select().from(platformEvents).where(eq(platformEvents.id, id)).limit(1);
  return row;
}

/** Freezes the resource on first dispatch; a re-run of the dispatch job keeps the first snapshot. */
export async function freezePlatformEventResource({ db, id, resource }: { db: Executor; id: string; resource: Record<string, unknown> | null }): Promise<PlatformEvent | undefined> {
  const [row] = await db
    .update(platformEvents)
    .set({ resource: sql`coalesce(${platformEvents.resource}, ${resource === null ? null : JSON.stringify(resource)}::jsonb)` })
    .where(eq(platformEvents.id, id))
    .returning();
  return row;
}

export async function markPlatformEventDispatched({ db, id, at }: { db: Executor; id: string; at: Date }): Promise<void> {
  await db.update(platformEvents).set({ dispatchedAt: at }).where(eq(platformEvents.id, id));
}

/** The subject's events before this one (for in-order delivery per resource). */
export async function earlierEventsOfSubject({ db, event }: { db: Executor; event: Pick<PlatformEvent, "subjectType" | "subjectId" | "seq"> }): Promise<PlatformEvent[]> {
  return db
    .select()
    .from(platformEvents)
    .where(and(eq(platformEvents.subjectType, event.subjectType), eq(platformEvents.subjectId, event.subjectId), lt(platformEvents.seq, event.seq)))
    .orderBy(asc(platformEvents.seq));
}

/** Events since a time, oldest first, in pages by seq (replay "everything since"). */
export async function listPlatformEventsSince({ db, since, afterSeq, limit }: { db: Executor; since: Date; afterSeq?: number; limit: number }): Promise<PlatformEvent[]> {
  return db
    .select()
    .from(platformEvents)
    .where(and(gte(platformEvents.occurredAt, since), afterSeq === undefined ? undefined : gt(platformEvents.seq, afterSeq)))
    .orderBy(asc(platformEvents.seq))
    .limit(limit);
}

/** Tests and the dashboard: the events of one subject, oldest first. */
export async function listEventsOfSubject({ db, subjectType, subjectId }: { db: Executor; subjectType: string; subjectId: string }): Promise<PlatformEvent[]> {
  return db
    .select()
    .from(platformEvents)
    .where(and(eq(platformEvents.subjectType, subjectType), eq(platformEvents.subjectId, subjectId)))
    .orderBy(asc(platformEvents.seq));
}
