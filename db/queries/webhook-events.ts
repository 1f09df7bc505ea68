import { eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { webhookEvents, type WebhookEvent } from "../schema";

export type WebhookEventStatus = WebhookEvent["status"];

export type NewWebhookEvent = {
  hubId: string;
  dedupKey: string;
  event: string;
  rawBody: string;
  headers: Record<string, string>;
  signatureResult: "valid" | "valid_previous";
  status: "pending" | "ignored";
  clientExternalId?: string | null;
  channelExternalId?: string | null;
};

/**
 * Bounds every statement of the surrounding transaction, so a stuck database gives the webhook its 503 well
 * inside 360dialog's 5 s (R4). Only meaningful inside a transaction.
 */
export async function limitStatementTime({ db, milliseconds }: { db: Executor; milliseconds: number }): Promise<void> {
  const ms = Math.max(1, Math.floor(milliseconds));
  await db.execute(sql.raw(`SET LOCAL statement_timeout = ${ms}`));
}

/**
 * The inbox upsert (R5): a second delivery of the same (hub, dedup key) only counts itself. `inserted` tells
 * whether this call created the row (xmax = 0 on a fresh insert, set by the conflict update otherwise).
 */
export async function insertWebhookEvent({
  db,
  event,
}: {
  db: Executor;
  event: NewWebhookEvent;
}): Promise<{ id: string; inserted: boolean; status: WebhookEventStatus }> {
  const [row] = await db
    .insert(webhookEvents)
    .values({
      hubId: event.hubId,
      dedupKey: event.dedupKey,
      event: event.event,
      rawBody: event.rawBody,
      headers: event.headers,
      signatureResult: event.signatureResult,
      status: event.status,
      clientExternalId: event.clientExternalId ?? null,
      channelExternalId: event.channelExternalId ?? null,
    })
    .onConflictDoUpdate({
      target: [webhookEvents.hubId, webhookEvents.dedupKey],
      set: { deliveries: sql`${webhookEvents.deliveries} + 1` },
    })
    .returning({ id: webhookEvents.id, inserted: sql<boolean>`(xmax = 0)`, status: webhookEvents.status });
  if (!row) throw new Error("insertWebhookEvent returned no row");
  return row;
}

export async function getWebhookEvent({ db, id }: { db: Executor; id: string }): Promise<WebhookEvent | undefined> {
  const [row] = await db.select().from(webhookEvents).where(eq(webhookEvents.id, id)).limit(1);
  return row;
}

/** Records one processing attempt's result; every call counts as an attempt. */
export async function setWebhookEventOutcome({
  db,
  id,
  status,
  lastError,
  processedAt,
}: {
  db: Executor;
  id: string;
  status: WebhookEventStatus;
  lastError?: string | null;
  processedAt?: Date | null;
}): Promise<WebhookEvent | undefined> {
  const [row] = await db
    .update(webhookEvents)
    .set({
      status,
      attempts: sql`${webhookEvents.attempts} + 1`,
      lastError: lastError ?? null,
      ...(processedAt !== undefined ? { processedAt } : {}),
    })
    .where(eq(webhookEvents.id, id))
    .returning();
  return row;
}

/** Back to pending for an operator's replay; the attempt count is history and stays. */
export async function resetWebhookEventForReplay({ db, id }: { db: Executor; id: string }): Promise<WebhookEvent | undefined> {
  const [row] = await db
    .update(webhookEvents)
    .set({ status: "pending", lastError: null, processedAt: null })
    .where(eq(webhookEvents.id, id))
    .returning();
  return row;
}
