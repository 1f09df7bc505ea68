import { eq, sql } from "drizzle-orm";
import type { Sql } from "postgres";
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
 * inside 360dialog's 5 s, and makes its commit durable whatever the server's synchronous_commit says: an
 * acknowledged delivery must survive a crash (R4). One round trip; only meaningful inside a transaction.
 */
export async function limitStatementTime({ db, milliseconds }: { db: Executor; milliseconds: number }): Promise<void> {
  const ms = String(Math.max(1, Math.floor(milliseconds)));
  await db.execute(sql`select set_config('statement_timeout', ${ms}, true), set_config('synchronous_commit', 'on', true)`);
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

/**
 * The receiver's hot path in ONE statement (R3): the inbox upsert, its processing job (once, by unique key)
 * and both wake-ups (the job runner's `jobs` channel and the dashboards' live channel), so an acknowledged
 * delivery costs one round trip inside its transaction. Same rows and notifications as insertWebhookEvent +
 * enqueueJob + publishChange, which the rest of the code keeps using.
 */
export async function storeWebhookDelivery({
  db,
  event,
  jobsChannel,
  liveChannel,
}: {
  db: Executor;
  event: NewWebhookEvent;
  jobsChannel: string;
  liveChannel: string;
}): Promise<{ id: string; inserted: boolean; status: WebhookEventStatus }> {
  const result = await db.execute(sql`
    with ins as (
      insert into ${webhookEvents} (hub_id, dedup_key, event, raw_body, headers, signature_result, status, client_external_id, channel_external_id)
      values (${event.hubId}, ${event.dedupKey}, ${event.event}, ${event.rawBody}, ${JSON.stringify(event.headers)}::jsonb,
              ${event.signatureResult}, ${event.status}, ${event.clientExternalId ?? null}, ${event.channelExternalId ?? null})
      on conflict (hub_id, dedup_key) do update set deliveries = ${webhookEvents}.deliveries + 1
      returning id, (xmax = 0) as inserted, status
    ), job as (
      insert into jobs (kind, payload, unique_key)
      select 'webhook.process', jsonb_build_object('webhookEventId', ins.id), 'webhook:' || ins.id
      from ins where ins.inserted and ins.status <> 'ignored'
      on conflict (unique_key) do nothing
      returning id
    )
    select ins.id::text as id, ins.inserted, ins.status,
      case when exists (select 1 from job) then pg_notify(${jobsChannel}, 'webhook.process') end as job_notified,
      case when ins.inserted then pg_notify(${liveChannel}, json_build_object('topic', 'webhook', 'id', ins.id, 'hubId', ${event.hubId}::text)::text) end as live_notified
    from ins`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { id: string; inserted: boolean; status: WebhookEventStatus }[];
  const row = rows[0];
  if (!row) throw new Error("storeWebhookDelivery returned no row");
  return { id: row.id, inserted: row.inserted, status: row.status };
}

/**
 * storeWebhookDelivery as one prepared postgres.js statement, for the receiver's own pool on PostgreSQL
 * (lib/webhooks/receiver-db.ts): the same SQL, parsed and planned once per connection, run in autocommit. A single
 * statement is atomic by itself, so the row, its job and both NOTIFYs (delivered at its commit) still commit
 * together or not at all (R4); the statement timeout and synchronous_commit come from that pool's connection
 * parameters, set at connect, instead of a set_config round trip inside a transaction.
 */
export async function storeWebhookDeliveryPrepared({
  sql: pg,
  event,
  jobsChannel,
  liveChannel,
}: {
  sql: Sql;
  event: NewWebhookEvent;
  jobsChannel: string;
  liveChannel: string;
}): Promise<{ id: string; inserted: boolean; status: WebhookEventStatus }> {
  const rows = await pg<{ id: string; inserted: boolean; status: WebhookEventStatus }[]>`
    with ins as (
      insert into webhook_events (hub_id, dedup_key, event, raw_body, headers, signature_result, status, client_external_id, channel_external_id)
      values (${event.hubId}::uuid, ${event.dedupKey}, ${event.event}, ${event.rawBody}, ${JSON.stringify(event.headers)}::text::jsonb,
              ${event.signatureResult}, ${event.status}, ${event.clientExternalId ?? null}, ${event.channelExternalId ?? null})
      on conflict (hub_id, dedup_key) do update set deliveries = webhook_events.deliveries + 1
      returning id, (xmax = 0) as inserted, status
    ), job as (
      insert into jobs (kind, payload, unique_key)
      select 'webhook.process', jsonb_build_object('webhookEventId', ins.id), 'webhook:' || ins.id
      from ins where ins.inserted and ins.status <> 'ignored'
      on conflict (unique_key) do nothing
      returning id
    )
    select ins.id::text as id, ins.inserted, ins.status,
      case when exists (select 1 from job) then pg_notify(${jobsChannel}::text, 'webhook.process') end as job_notified,
      case when ins.inserted then pg_notify(${liveChannel}::text, json_build_object('topic', 'webhook', 'id', ins.id, 'hubId', ${event.hubId}::text)::text) end as live_notified
    from ins`;
  const row = rows[0];
  if (!row) throw new Error("storeWebhookDeliveryPrepared returned no row");
  return { id: row.id, inserted: row.inserted, status: row.status };
}
