import "server-only";
import { JOBS_CHANNEL } from "@/db/queries/jobs";
import type { Executor } from "@/db/client";
import { countWaitingUnverified, limitStatementTime, webhookDeliveryStatement, type DeliveryStatement, type NewWebhookEvent, type StoredDelivery } from "@/db/queries/webhook-events";
import { getDatabaseHandle } from "../db";
import { processSlots as slots } from "../process-slots";
import { WEBHOOK_JOB_KEY_PREFIX, WEBHOOK_PROCESS_JOB } from "../jobs/kinds";
import { LIVE_CHANNEL } from "../live/types";
import { createGroupCommit, type GroupCommit, type GroupCommitStats } from "./group-commit";
import { RECEIVER_STATEMENT_TIMEOUT_MS, receiverSql } from "./receiver-db";

/**
 * How a verified delivery is stored: the inbox row, its `webhook.process` job (keyed webhookJobKey(id)) and the
 * live notices, in the one statement db/queries/webhook-events.ts writes, built once here.
 */
export const deliveryStatement = webhookDeliveryStatement({
  jobKind: WEBHOOK_PROCESS_JOB,
  jobKeyPrefix: WEBHOOK_JOB_KEY_PREFIX,
  jobsChannel: JOBS_CHANNEL,
  liveChannel: LIVE_CHANNEL,
});

/** The same statement for Meta's WABA webhook deliveries (source `waba`): the WABA receiver's one store (docs/waba-webhook.md §2). */
export const wabaDeliveryStatement = webhookDeliveryStatement({
  jobKind: WEBHOOK_PROCESS_JOB,
  jobKeyPrefix: WEBHOOK_JOB_KEY_PREFIX,
  jobsChannel: JOBS_CHANNEL,
  liveChannel: LIVE_CHANNEL,
  source: "waba",
});

type Source = "partner" | "waba";
type Groups = Record<Source, GroupCommit<NewWebhookEvent, StoredDelivery>>;

// One set of groups per process and database target (lib/process-slots.ts): server.ts's fast path and Next's bundle
// each load this module, and their deliveries share the receiver's pool, so they share its statements in flight.
declare module "../process-slots" {
  interface ProcessSlots {
    /** The webhook receiver's group commits (lib/webhooks/group-commit.ts), by the pool or database they write to. */
    receiverGroups?: WeakMap<object, Groups>;
  }
}

/**
 * Statements the receiver runs at once on its pool (receiver-db.ts holds 5 connections): one while PostgreSQL keeps
 * up, so everything that arrives meanwhile goes in the next statement; a second only once the one in flight has run
 * RECEIVER_EXTRA_STATEMENT_AFTER_MS (waiting on a lock, a slow commit), so deliveries keep flowing past it. Two
 * statements whenever a slot was free split the waiting deliveries into smaller batches, each paying a statement's
 * fixed cost and a wake-up of PostgreSQL again: 0.78-0.79 of the baseline's throughput against 0.84 with one
 * (bench/README.md, "Webhook receiver").
 */
export const RECEIVER_STATEMENTS_IN_FLIGHT = 2;
export const RECEIVER_EXTRA_STATEMENT_AFTER_MS = 50;
/** Deliveries in one statement, and their raw bodies' total: bounds a statement's size and its time in PostgreSQL. */
export const RECEIVER_BATCH_MAX_ITEMS = 64;
export const RECEIVER_BATCH_MAX_BYTES = 4 * 1024 * 1024;

function groupsFor(target: object, make: (source: Source) => GroupCommit<NewWebhookEvent, StoredDelivery>): Groups {
  const all = (slots.receiverGroups ??= new WeakMap());
  let groups = all.get(target);
  if (!groups) {
    groups = { partner: make("partner"), waba: make("waba") };
    all.set(target, groups);
  }
  return groups;
}

function group(
  run: { one: (statement: DeliveryStatement, row: NewWebhookEvent) => Promise<StoredDelivery>; many: (statement: DeliveryStatement, rows: readonly NewWebhookEvent[]) => Promise<StoredDelivery[]> },
  maxInFlight: number,
  extraSlotAfterMs?: number,
) {
  return (source: Source) => {
    const statement = source === "waba" ? wabaDeliveryStatement : deliveryStatement;
    return createGroupCommit<NewWebhookEvent, StoredDelivery>({
      runOne: (row) => run.one(statement, row),
      runMany: (rows) => run.many(statement, rows),
      maxInFlight,
      extraSlotAfterMs,
      maxItems: RECEIVER_BATCH_MAX_ITEMS,
      maxBytes: RECEIVER_BATCH_MAX_BYTES,
      sizeOf: (row) => row.rawBody.length,
      // The upsert's conflict target: PostgreSQL cannot upsert one row twice in a statement.
      keyOf: (row) => `${row.hubId} ${row.dedupKey}`,
      retryAlone: mayBeOneRowsFault,
    });
  };
}

/**
 * Whether a failed batch is worth trying row by row: an error PostgreSQL raised for what a row holds (a constraint,
 * a trigger, a value), not one about the connection, the server or the time it took, which every row would meet
 * again (class 08 connection, 53 resources, 57 operator intervention and query_canceled, 58 system, XX internal)
 * and which a stuck database must not meet N times over.
 */
export function mayBeOneRowsFault(error: unknown): boolean {
  let inner = error;
  for (let depth = 0; depth < 5 && inner instanceof Error; depth++) {
    const code = (inner as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return !/^(08|53|57|58|XX)/.test(code);
    inner = inner.cause;
  }
  return false;
}

/**
 * The inbox row, its processing job and the live notice in one statement, committed together or not at all
 * (docs/security.md R4). Both receivers (partner and WABA) store through here, on the receiver's own pool on
 * PostgreSQL. Deliveries that arrive together share one statement (group commit); each promise settles only
 * after the statement that carried its row committed.
 */
export async function storeDelivery(row: NewWebhookEvent, source: Source = "partner"): Promise<StoredDelivery> {
  return (await currentGroups())[source].submit(row);
}

/** The counters of the group commit storeDelivery() uses now, since it was made (tests, benches). */
export async function deliveryGroupStats(source: Source = "partner"): Promise<GroupCommitStats> {
  return (await currentGroups())[source].stats();
}

async function currentGroups(): Promise<Groups> {
  const handle = await getDatabaseHandle();
  const receiver = handle.driver === "postgres" ? receiverSql() : null;
  // Made once per target; the closures below are only built the first time.
  const known = slots.receiverGroups?.get(receiver ?? handle.db);
  if (known) return known;
  if (receiver) {
    return groupsFor(receiver, group({ one: (s, r) => s.runPrepared(receiver, r), many: (s, rs) => s.runManyPrepared(receiver, rs) }, RECEIVER_STATEMENTS_IN_FLIGHT, RECEIVER_EXTRA_STATEMENT_AFTER_MS));
  }
  // PGlite (and a PostgreSQL handle without DATABASE_URL, as in tests): the statement timeout needs a transaction.
  // PGlite has one connection, so one statement at a time.
  const db = handle.db;
  const inTransaction = <T>(work: (tx: Executor) => Promise<T>) =>
    db.transaction(async (tx) => {
      await limitStatementTime({ db: tx, milliseconds: RECEIVER_STATEMENT_TIMEOUT_MS });
      return work(tx);
    });
  return groupsFor(db, group({ one: (s, r) => inTransaction((tx) => s.run(tx, r)), many: (s, rs) => inTransaction((tx) => s.runMany(tx, rs)) }, 1));
}

/** How many unverified deliveries of this hub still wait for their confirmation (the receiver's cap). */
export async function countUnverifiedWaiting(hubId: string): Promise<number> {
  const handle = await getDatabaseHandle();
  return countWaitingUnverified({ db: handle.db, hubId });
}
