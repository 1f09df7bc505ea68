import { and, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { Sql } from "postgres";
import { rowsOf, type Executor } from "../client";
import { webhookEvents, type WebhookEvent } from "../schema";

export type WebhookEventStatus = WebhookEvent["status"];

export type NewWebhookEvent = {
  hubId: string;
  dedupKey: string;
  event: string;
  rawBody: string;
  headers: Record<string, string>;
  /**
   * "unsigned": stored although it could not be verified (no platform secret saved, or a WABA delivery without the
   * hub's secret), never applied as sent. "hub_secret": a WABA delivery proven by the hub's secret (docs/waba-webhook.md §2).
   */
  signatureResult: "valid" | "valid_previous" | "unsigned" | "hub_secret";
  status: "pending" | "ignored";
  clientExternalId?: string | null;
  channelExternalId?: string | null;
};

/**
 * Bounds every statement of the surrounding transaction, so a stuck database gives the webhook its 503 well
 * inside 360dialog's 5 s, and makes its commit durable whatever the server's synchronous_commit says: an
 * acknowledged delivery must survive a crash (docs/security.md R4). One round trip; only meaningful inside a transaction.
 */
export async function limitStatementTime({ db, milliseconds }: { db: Executor; milliseconds: number }): Promise<void> {
  const ms = String(Math.max(1, Math.floor(milliseconds)));
  await db.execute(sql`select set_config('statement_timeout', ${ms}, true), set_config('synchronous_commit', 'on', true)`);
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

const WAITING = ["pending", "processing", "failed"] as const;

/** Unverified deliveries of one hub not yet confirmed (pending, being confirmed, or failed and retrying). */
export async function countWaitingUnverified({ db, hubId }: { db: Executor; hubId: string }): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.hubId, hubId), eq(webhookEvents.signatureResult, "unsigned"), inArray(webhookEvents.status, [...WAITING])));
  return row?.n ?? 0;
}

export type UnverifiedSummary = { hubId: string; waiting: number; lastError: string | null; oldestAt: Date | null };

/** Per hub: how many unverified deliveries wait, since when, and the newest failure of their confirmation. */
export async function unverifiedSummaries({ db }: { db: Executor }): Promise<UnverifiedSummary[]> {
  const waiting = and(eq(webhookEvents.signatureResult, "unsigned"), inArray(webhookEvents.status, [...WAITING]));
  const counts = await db
    .select({ hubId: webhookEvents.hubId, waiting: count(), oldestAt: sql<Date | string | null>`min(${webhookEvents.receivedAt})` })
    .from(webhookEvents)
    .where(waiting)
    .groupBy(webhookEvents.hubId);
  const out: UnverifiedSummary[] = [];
  for (const c of counts) {
    const [failed] = await db
      .select({ lastError: webhookEvents.lastError })
      .from(webhookEvents)
      .where(and(waiting, eq(webhookEvents.hubId, c.hubId), eq(webhookEvents.status, "failed")))
      .orderBy(desc(webhookEvents.receivedAt))
      .limit(1);
    out.push({ hubId: c.hubId, waiting: c.waiting, lastError: failed?.lastError ?? null, oldestAt: c.oldestAt === null ? null : new Date(c.oldestAt) });
  }
  return out;
}

/** What the Partner API said about an unverified delivery, kept on its row beside the outcome. */
export async function setWebhookEventConfirmation({ db, id, confirmation, at }: { db: Executor; id: string; confirmation: string; at: Date }): Promise<void> {
  await db.update(webhookEvents).set({ confirmation, confirmedAt: at }).where(eq(webhookEvents.id, id));
}

/** Back to pending for an operator's replay; the attempt count is history and stays. */
/** `by`: who replays it, kept with the time so the history lines this processing writes say so (channel-events.ts). */
export async function resetWebhookEventForReplay({ db, id, by }: { db: Executor; id: string; by: string }): Promise<WebhookEvent | undefined> {
  const [row] = await db
    .update(webhookEvents)
    .set({ status: "pending", lastError: null, processedAt: null, replayedAt: sql`now()`, replayedBy: by })
    .where(eq(webhookEvents.id, id))
    .returning();
  return row;
}

/**
 * Restoring an archived hub (docs/hub-settings.md §6.6): every delivery held while it was archived goes back to
 * pending with a fresh processing job, in one statement (so none is released without its job). Returns how many.
 */
export async function releaseHeldWebhookEvents({
  db,
  hubId,
  jobKind,
  jobKeyPrefix,
  discriminator,
}: {
  db: Executor;
  hubId: string;
  jobKind: string;
  jobKeyPrefix: string;
  discriminator: string;
}): Promise<number> {
  const rows = await rowsOf<{ n: number }>(db, sql`
    with released as (
      update webhook_events set status = 'pending', last_error = null
      where hub_id = ${hubId}::uuid and status = 'held'
      returning id
    ), queued as (
      insert into jobs (kind, payload, unique_key)
      select ${jobKind}, jsonb_build_object('webhookEventId', released.id), ${jobKeyPrefix} || released.id || ':restored:' || ${discriminator}
      from released
      on conflict (unique_key) do nothing
      returning id
    )
    select count(*)::int as n from queued`);
  return rows[0]?.n ?? 0;
}

/** Deliveries of each hub held while it was archived (Settings shows them waiting). */
export async function countHeldWebhookEvents({ db }: { db: Executor }): Promise<{ hubId: string; n: number }[]> {
  return db
    .select({ hubId: webhookEvents.hubId, n: sql<number>`count(*)::int` })
    .from(webhookEvents)
    .where(eq(webhookEvents.status, "held"))
    .groupBy(webhookEvents.hubId);
}

export type StoredDelivery = { id: string; inserted: boolean; status: WebhookEventStatus };

export type DeliveryStatement = {
  /** The SQL text, $1…$12 (see webhookDeliveryStatement). */
  readonly text: string;
  /** Through drizzle, in the caller's transaction or on its connection (PGlite, tests). */
  run(db: Executor, event: NewWebhookEvent): Promise<StoredDelivery>;
  /** As one prepared postgres.js statement in autocommit (the receiver's own pool on PostgreSQL). */
  runPrepared(pg: Sql, event: NewWebhookEvent): Promise<StoredDelivery>;
  /** The SQL text that stores several deliveries in one statement, $1…$11 (see webhookDeliveryStatement). */
  readonly batchText: string;
  /**
   * Several deliveries in ONE statement through drizzle (PGlite, tests), results in the order given. No two may
   * share a hub and dedup key (PostgreSQL refuses to upsert one row twice in a statement).
   */
  runMany(db: Executor, events: readonly NewWebhookEvent[]): Promise<StoredDelivery[]>;
  /** The same as one prepared postgres.js statement in autocommit (the receiver's own pool on PostgreSQL). */
  runManyPrepared(pg: Sql, events: readonly NewWebhookEvent[]): Promise<StoredDelivery[]>;
};

// Job kinds and key prefixes are written into the statement as literals: plain names only, never quoted text.
const LITERAL = /^[A-Za-z0-9_.:-]+$/;
const literal = (value: string) => {
  if (!LITERAL.test(value)) throw new Error(`webhookDeliveryStatement: ${JSON.stringify(value)} is not a plain name`);
  return `'${value}'`;
};

/**
 * The receiver's hot path in ONE statement, the only SQL that stores a delivery (docs/security.md R3, R4, R5): the inbox upsert (a
 * second delivery of the same hub and dedup key only counts itself; `inserted` is xmax = 0, set by the conflict
 * update otherwise), its processing job (once, by unique key, not for an "ignored" row) and both wake-ups (the
 * job runner's channel and the dashboards' live channel, delivered at the commit). One statement is atomic by
 * itself, so the row, its job and the notices commit together or not at all.
 *
 * Built once per process with the job's kind and unique-key prefix (lib/jobs/kinds.ts, through
 * lib/webhooks/store.ts); each delivery only binds its 12 parameters. On PostgreSQL the receiver runs it as one
 * prepared autocommit statement on its own pool (lib/webhooks/receiver-db.ts), whose connection parameters carry
 * the statement timeout and synchronous_commit; on PGlite it runs through drizzle inside a transaction that sets
 * them (limitStatementTime).
 */
export function webhookDeliveryStatement(options: {
  jobKind: string;
  jobKeyPrefix: string;
  jobsChannel: string;
  liveChannel: string;
  /** Who sends what this statement stores: the partner webhook (default) or Meta's WABA webhook (docs/waba-webhook.md §2). */
  source?: "partner" | "waba";
}): DeliveryStatement {
  const kind = literal(options.jobKind);
  const text = `
    with ins as (
      insert into webhook_events (hub_id, dedup_key, event, raw_body, headers, signature_result, status, client_external_id, channel_external_id, source)
      values ($1::uuid, $2, $3, $4, $5::text::jsonb, $6, $7, $8, $9, ${literal(options.source ?? "partner")})
      on conflict (hub_id, dedup_key) do update set deliveries = webhook_events.deliveries + 1
      returning id, (xmax = 0) as inserted, status
    ), job as (
      insert into jobs (kind, payload, unique_key)
      select ${kind}, jsonb_build_object('webhookEventId', ins.id), ${literal(options.jobKeyPrefix)} || ins.id
      from ins where ins.inserted and ins.status <> 'ignored'
      on conflict (unique_key) do nothing
      returning id
    )
    select ins.id::text as id, ins.inserted, ins.status,
      case when exists (select 1 from job) then pg_notify($10::text, ${kind}) end as job_notified,
      case when ins.inserted then pg_notify($11::text, json_build_object('topic', 'webhook', 'id', ins.id, 'hubId', $12::text)::text) end as live_notified
    from ins`;
  // Each placeholder appears once, in order: the text split around them is what a tagged template hands its tag,
  // so drizzle's `sql` and postgres.js both take it as if the statement were written inline (postgres.js numbers
  // the parameters $1…$12 again, in the same order, and prepares the statement once per connection).
  const parts = text.split(/\$\d+/);
  if (parts.length !== 13) throw new Error("webhookDeliveryStatement: expected 12 placeholders");
  const strings = Object.freeze(Object.assign([...parts], { raw: Object.freeze([...parts]) })) as unknown as TemplateStringsArray;
  const params = (e: NewWebhookEvent) => [
    e.hubId,
    e.dedupKey,
    e.event,
    e.rawBody,
    JSON.stringify(e.headers),
    e.signatureResult,
    e.status,
    e.clientExternalId ?? null,
    e.channelExternalId ?? null,
    options.jobsChannel,
    options.liveChannel,
    e.hubId,
  ];
  const one = (rows: StoredDelivery[] | undefined): StoredDelivery => {
    const row = rows?.[0];
    if (!row) throw new Error("the delivery statement returned no row");
    return { id: row.id, inserted: row.inserted, status: row.status };
  };
  // The same work for several deliveries (lib/webhooks/group-commit.ts): each column comes as one array, so the
  // statement text, and its prepared plan, is the same for any number of rows. Every row gets its own upsert
  // result, its own job and its own live notice exactly as above; the job runner's wake-up, the same text for
  // every row, is sent once. Still one statement: all rows, jobs and notices commit together or not at all.
  const batchText = `
    with input as (
      select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
        with ordinality as t(hub_id, dedup_key, event, raw_body, headers, signature_result, status, client_external_id, channel_external_id, n)
    ), ins as (
      insert into webhook_events (hub_id, dedup_key, event, raw_body, headers, signature_result, status, client_external_id, channel_external_id, source)
      select hub_id, dedup_key, event, raw_body, headers::jsonb, signature_result, status, client_external_id, channel_external_id, ${literal(options.source ?? "partner")}
      from input order by n
      on conflict (hub_id, dedup_key) do update set deliveries = webhook_events.deliveries + 1
      returning id, (xmax = 0) as inserted, status, hub_id, dedup_key
    ), job as (
      insert into jobs (kind, payload, unique_key)
      select ${kind}, jsonb_build_object('webhookEventId', ins.id), ${literal(options.jobKeyPrefix)} || ins.id
      from ins where ins.inserted and ins.status <> 'ignored'
      on conflict (unique_key) do nothing
      returning id
    ), woken as (
      select pg_notify($10::text, ${kind}) as notified where exists (select 1 from job)
    )
    select input.n::int as n, ins.id::text as id, ins.inserted, ins.status,
      (select count(*) from woken) as job_notified,
      case when ins.inserted then pg_notify($11::text, json_build_object('topic', 'webhook', 'id', ins.id, 'hubId', ins.hub_id::text)::text) end as live_notified
    from input join ins on ins.hub_id = input.hub_id and ins.dedup_key = input.dedup_key
    order by input.n`;
  const batchParts = batchText.split(/\$\d+/);
  if (batchParts.length !== 12) throw new Error("webhookDeliveryStatement: expected 11 placeholders in the batch");
  const batchStrings = Object.freeze(Object.assign([...batchParts], { raw: Object.freeze([...batchParts]) })) as unknown as TemplateStringsArray;
  const batchParams = (events: readonly NewWebhookEvent[]) => [
    arrayLiteral(events.map((e) => e.hubId)),
    arrayLiteral(events.map((e) => e.dedupKey)),
    arrayLiteral(events.map((e) => e.event)),
    arrayLiteral(events.map((e) => e.rawBody)),
    arrayLiteral(events.map((e) => JSON.stringify(e.headers))),
    arrayLiteral(events.map((e) => e.signatureResult)),
    arrayLiteral(events.map((e) => e.status)),
    arrayLiteral(events.map((e) => e.clientExternalId ?? null)),
    arrayLiteral(events.map((e) => e.channelExternalId ?? null)),
    options.jobsChannel,
    options.liveChannel,
  ];
  const all = (events: readonly NewWebhookEvent[], rows: (StoredDelivery & { n: number })[]): StoredDelivery[] => {
    if (rows.length !== events.length) throw new Error(`the delivery statement returned ${rows.length} rows for ${events.length} deliveries`);
    return rows.map((row, i) => {
      if (row.n !== i + 1) throw new Error("the delivery statement returned its rows out of order");
      return { id: row.id, inserted: row.inserted, status: row.status };
    });
  };
  return {
    text,
    batchText,
    async runMany(db, events) {
      return all(events, await rowsOf<StoredDelivery & { n: number }>(db, sql(batchStrings, ...batchParams(events))));
    },
    async runManyPrepared(pg, events) {
      return all(events, await pg<(StoredDelivery & { n: number })[]>(batchStrings, ...batchParams(events)));
    },
    async run(db, event) {
      return one(await rowsOf<StoredDelivery>(db, sql(strings, ...params(event))));
    },
    async runPrepared(pg, event) {
      return one(await pg<StoredDelivery[]>(strings, ...params(event)));
    },
  };
}

/**
 * A PostgreSQL array literal of text values (NULL for null): every element quoted, backslash and double quote
 * escaped, so any text, empty or with commas, braces or quotes, comes back as it was sent.
 */
export function arrayLiteral(values: readonly (string | null)[]): string {
  let out = "{";
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) out += ",";
    if (value === null || value === undefined) out += "NULL";
    // JSON's string syntax quotes and escapes exactly as an array element does (backslash before `"` and `\\`)
    // for text without control characters and lone surrogates, which JSON writes as escapes an array reads
    // differently; JSON.stringify does it natively, several times faster than a replace over a 1 KB body.
    else if (!CONTROL.test(value) && value.isWellFormed()) out += JSON.stringify(value);
    else out += `"${value.replace(ARRAY_ESCAPE, "\\$&")}"`;
  }
  return out + "}";
}
const ARRAY_ESCAPE = /[\\"]/g;
const CONTROL = /[\u0000-\u001f]/;
