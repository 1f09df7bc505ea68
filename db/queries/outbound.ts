import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { outboundAttempts, outboundDeliveries, platformEvents, webhookEndpoints, type OutboundAttempt, type OutboundDelivery, type PlatformEvent, type WebhookEndpoint } from "../schema";

// Outbound webhooks (docs/outbound-webhooks.md): endpoints, one delivery per endpoint and event, each attempt.

export type NewEndpoint = Pick<WebhookEndpoint, "url" | "description" | "eventTypes" | "hubId" | "secretEnc"> & { id?: string; createdBy: string | null };

export async function insertEndpoint({ db, endpoint }: { db: Executor; endpoint: NewEndpoint }): Promise<WebhookEndpoint> {
  const [row] = await db.insert(webhookEndpoints).values(endpoint).returning();
  return row!;
}

export async function findEndpoint({ db, id }: { db: Executor; id: string }): Promise<WebhookEndpoint | undefined> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).limit(1);
  return row;
}

export async function listEndpoints({ db, afterId, limit }: { db: Executor; afterId?: string; limit: number }): Promise<WebhookEndpoint[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(afterId ? gt(webhookEndpoints.id, afterId) : undefined)
    .orderBy(asc(webhookEndpoints.id))
    .limit(limit);
}

export async function updateEndpointRow({ db, id, set }: { db: Executor; id: string; set: Partial<Omit<WebhookEndpoint, "id" | "createdAt">> }): Promise<WebhookEndpoint | undefined> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ ...set, updatedAt: new Date() })
    .where(eq(webhookEndpoints.id, id))
    .returning();
  return row;
}

export async function deleteEndpointRow({ db, id }: { db: Executor; id: string }): Promise<WebhookEndpoint | undefined> {
  const [row] = await db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning();
  return row;
}

/** Enabled endpoints that want this event: its type (or all) and its hub (or every hub). */
export async function endpointsForEvent({ db, type, hubId }: { db: Executor; type: string; hubId: string | null }): Promise<WebhookEndpoint[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.enabled, true),
        or(isNull(webhookEndpoints.eventTypes), sql`${webhookEndpoints.eventTypes} @> ${JSON.stringify([type])}::jsonb`),
        hubId === null ? isNull(webhookEndpoints.hubId) : or(isNull(webhookEndpoints.hubId), eq(webhookEndpoints.hubId, hubId)),
      ),
    );
}

export type NewDelivery = Pick<OutboundDelivery, "endpointId" | "eventId" | "messageId" | "eventType" | "eventSeq" | "subjectType" | "subjectId"> & {
  testBody?: Record<string, unknown> | null;
};

/** One row per endpoint and event; a second fan-out of the same event adds nothing. Returns the new rows. */
export async function insertDeliveries({ db, deliveries }: { db: Executor; deliveries: NewDelivery[] }): Promise<OutboundDelivery[]> {
  if (deliveries.length === 0) return [];
  return db.insert(outboundDeliveries).values(deliveries).onConflictDoNothing().returning();
}

/**
 * Opens a delivery again (replay): pending, due now, a fresh retry window. Inserts it when the endpoint never had
 * the event. Returns the row.
 */
export async function reopenDelivery({ db, delivery, now }: { db: Executor; delivery: NewDelivery; now: Date }): Promise<OutboundDelivery> {
  const [row] = await db
    .insert(outboundDeliveries)
    .values({ ...delivery, nextAttemptAt: now })
    .onConflictDoUpdate({
      target: [outboundDeliveries.endpointId, outboundDeliveries.eventId],
      set: { status: "pending", nextAttemptAt: now, windowStartedAt: null, lockedUntil: null },
    })
    .returning();
  return row!;
}

export async function reopenDeliveryById({ db, id, now }: { db: Executor; id: string; now: Date }): Promise<OutboundDelivery | undefined> {
  const [row] = await db
    .update(outboundDeliveries)
    .set({ status: "pending", nextAttemptAt: now, windowStartedAt: null, lockedUntil: null })
    .where(eq(outboundDeliveries.id, id))
    .returning();
  return row;
}

export async function findDelivery({ db, id }: { db: Executor; id: string }): Promise<OutboundDelivery | undefined> {
  const [row] = await db.select().from(outboundDeliveries).where(eq(outboundDeliveries.id, id)).limit(1);
  return row;
}

/**
 * Takes a due, pending delivery for one attempt: nobody else posts it until `lockedUntil` (longer than the request
 * timeout), so two jobs for the same delivery never send it at once. Undefined when it is not due or is taken.
 */
export async function lockDueDelivery({ db, id, now, lockedUntil }: { db: Executor; id: string; now: Date; lockedUntil: Date }): Promise<OutboundDelivery | undefined> {
  const [row] = await db
    .update(outboundDeliveries)
    .set({ lockedUntil, windowStartedAt: sql`coalesce(${outboundDeliveries.windowStartedAt}, ${now.toISOString()}::timestamptz)` })
    .where(
      and(
        eq(outboundDeliveries.id, id),
        eq(outboundDeliveries.status, "pending"),
        lte(outboundDeliveries.nextAttemptAt, now),
        or(isNull(outboundDeliveries.lockedUntil), lt(outboundDeliveries.lockedUntil, now)),
      ),
    )
    .returning();
  return row;
}

export async function releaseDelivery({ db, id, nextAttemptAt }: { db: Executor; id: string; nextAttemptAt: Date }): Promise<void> {
  await db.update(outboundDeliveries).set({ lockedUntil: null, nextAttemptAt }).where(eq(outboundDeliveries.id, id));
}

/** Outcome of one attempt: the delivery's new state and the attempt's log row, together. */
export async function recordAttempt({
  db,
  delivery,
  attempt,
  set,
}: {
  db: Executor;
  delivery: OutboundDelivery;
  attempt: Omit<OutboundAttempt, "id" | "deliveryId" | "endpointId">;
  set: Partial<Pick<OutboundDelivery, "status" | "nextAttemptAt" | "lastStatusCode" | "lastError" | "deliveredAt">>;
}): Promise<void> {
  await db.insert(outboundAttempts).values({ ...attempt, deliveryId: delivery.id, endpointId: delivery.endpointId });
  await db
    .update(outboundDeliveries)
    .set({ ...set, attempts: sql`${outboundDeliveries.attempts} + 1`, lockedUntil: null })
    .where(eq(outboundDeliveries.id, delivery.id));
}

/**
 * What holds this delivery back (in order per resource, docs/outbound-webhooks.md §2): an earlier event of the same
 * subject still pending to this endpoint, or one not yet fanned out (its dispatch runs a moment later) that occurred
 * within `undispatchedSince`. Returns the earliest next attempt among them (null: an undispatched one), or undefined.
 */
export async function earlierUndelivered({
  db,
  delivery,
  undispatchedSince,
}: {
  db: Executor;
  delivery: OutboundDelivery;
  undispatchedSince: Date;
}): Promise<{ nextAttemptAt: Date | null } | undefined> {
  if (delivery.eventSeq === null || delivery.subjectType === null || delivery.subjectId === null) return undefined;
  const [pending] = await db
    .select({ nextAttemptAt: outboundDeliveries.nextAttemptAt })
    .from(outboundDeliveries)
    .where(pendingOfSameSubject({ endpointId: delivery.endpointId, subjectType: delivery.subjectType, subjectId: delivery.subjectId }, lt(outboundDeliveries.eventSeq, delivery.eventSeq)))
    .orderBy(asc(outboundDeliveries.eventSeq))
    .limit(1);
  if (pending) return pending;
  const [undispatched] = await db
    .select({ id: platformEvents.id })
    .from(platformEvents)
    .where(
      and(
        eq(platformEvents.subjectType, delivery.subjectType),
        eq(platformEvents.subjectId, delivery.subjectId),
        lt(platformEvents.seq, delivery.eventSeq),
        isNull(platformEvents.dispatchedAt),
        gte(platformEvents.occurredAt, undispatchedSince),
        sql`not exists (select 1 from ${outboundDeliveries} d where d.event_id = ${platformEvents.id} and d.endpoint_id = ${delivery.endpointId})`,
      ),
    )
    .limit(1);
  return undispatched ? { nextAttemptAt: null } : undefined;
}

/** Pending deliveries to the same endpoint about the same subject, before or after this one (`seq`). */
function pendingOfSameSubject(delivery: { endpointId: string; subjectType: string; subjectId: string }, order: SQL) {
  return and(
    eq(outboundDeliveries.endpointId, delivery.endpointId),
    eq(outboundDeliveries.subjectType, delivery.subjectType),
    eq(outboundDeliveries.subjectId, delivery.subjectId),
    order,
    eq(outboundDeliveries.status, "pending"),
  );
}

/** The pending deliveries of this endpoint and subject after `seq` (woken when the one before them ends). */
export async function pendingSuccessors({ db, delivery }: { db: Executor; delivery: OutboundDelivery }): Promise<OutboundDelivery[]> {
  if (delivery.eventSeq === null || delivery.subjectType === null || delivery.subjectId === null) return [];
  return db
    .select()
    .from(outboundDeliveries)
    .where(pendingOfSameSubject({ endpointId: delivery.endpointId, subjectType: delivery.subjectType, subjectId: delivery.subjectId }, gt(outboundDeliveries.eventSeq, delivery.eventSeq)))
    .orderBy(asc(outboundDeliveries.eventSeq))
    .limit(1);
}

export async function pendingDeliveriesOfEndpoint({ db, endpointId, limit }: { db: Executor; endpointId: string; limit: number }): Promise<OutboundDelivery[]> {
  return db
    .select()
    .from(outboundDeliveries)
    .where(and(eq(outboundDeliveries.endpointId, endpointId), eq(outboundDeliveries.status, "pending")))
    .orderBy(asc(outboundDeliveries.eventSeq))
    .limit(limit);
}

export type DeliveryLogRow = OutboundDelivery & { attemptsLog: OutboundAttempt[] };

/** The delivery log of one endpoint, newest first, each with its attempts (newest first). */
export async function listDeliveryLog({ db, endpointId, limit, beforeCreatedAt }: { db: Executor; endpointId: string; limit: number; beforeCreatedAt?: Date }): Promise<DeliveryLogRow[]> {
  const deliveries = await db
    .select()
    .from(outboundDeliveries)
    .where(and(eq(outboundDeliveries.endpointId, endpointId), beforeCreatedAt ? lt(outboundDeliveries.createdAt, beforeCreatedAt) : undefined))
    .orderBy(desc(outboundDeliveries.createdAt), desc(outboundDeliveries.eventSeq))
    .limit(limit);
  if (deliveries.length === 0) return [];
  const attempts = await db
    .select()
    .from(outboundAttempts)
    .where(inArray(outboundAttempts.deliveryId, deliveries.map((d) => d.id)))
    .orderBy(desc(outboundAttempts.id));
  return deliveries.map((d) => ({ ...d, attemptsLog: attempts.filter((a) => a.deliveryId === d.id) }));
}

/** Events since a time for replay, oldest first, a page at a time. */
export async function eventsSince({ db, since, afterSeq, limit }: { db: Executor; since: Date; afterSeq: number; limit: number }): Promise<PlatformEvent[]> {
  return db
    .select()
    .from(platformEvents)
    .where(and(gte(platformEvents.occurredAt, since), gt(platformEvents.seq, afterSeq)))
    .orderBy(asc(platformEvents.seq))
    .limit(limit);
}
