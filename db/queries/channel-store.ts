import "server-only";
import { and, asc, eq, inArray, notExists, notInArray, sql, type SQL } from "drizzle-orm";
import { unionAll, type PgSetOperatorWithResult } from "drizzle-orm/pg-core";
import type { Placeholder } from "drizzle-orm";
import type { TypedQueryBuilder } from "drizzle-orm/query-builders/query-builder";
import { rowsOf, type Executor } from "../client";
import { apiKeys, channels, jobs, webhookEvents, type Channel } from "../schema";

export type NewChannel = typeof channels.$inferInsert;
export type ChannelSource = Channel["source"];

/** Creates the row of (hub, external id) if it is missing; `inserted` tells whether this call made it. */
export async function insertChannelIfAbsent({
  db,
  hubId,
  externalId,
  source,
}: {
  db: Executor;
  hubId: string;
  externalId: string;
  source: ChannelSource;
}): Promise<{ inserted: boolean }> {
  // status_rank 0: a placeholder any lifecycle status moves forward from.
  const rows = await db
    .insert(channels)
    .values({ hubId, externalId, source, status: "created", statusRank: 0 })
    .onConflictDoNothing({ target: [channels.hubId, channels.externalId] })
    .returning({ id: channels.id });
  return { inserted: rows.length > 0 };
}

/** Drops a channel row (the placeholder of a number that turned out to be a hand-added one). */
export async function deleteChannelByExternalId({ db, hubId, externalId }: { db: Executor; hubId: string; externalId: string }): Promise<void> {
  await db.delete(channels).where(and(eq(channels.hubId, hubId), eq(channels.externalId, externalId)));
}

/** Row lock for a read-decide-write on one channel; concurrent writers of the same channel queue here. */
export async function lockChannelByExternalId({
  db,
  hubId,
  externalId,
}: {
  db: Executor;
  hubId: string;
  externalId: string;
}): Promise<Channel | undefined> {
  const [row] = await db
    .select()
    .from(channels)
    .where(and(eq(channels.hubId, hubId), eq(channels.externalId, externalId)))
    .limit(1)
    .for("update");
  return row;
}

export async function lockChannelById({ db, id }: { db: Executor; id: string }): Promise<Channel | undefined> {
  const [row] = await db.select().from(channels).where(eq(channels.id, id)).limit(1).for("update");
  return row;
}

export async function findChannelById({ db, id }: { db: Executor; id: string }): Promise<Channel | undefined> {
  const [row] = await db.select().from(channels).where(eq(channels.id, id)).limit(1);
  return row;
}

export async function findChannelByExternalId({
  db,
  hubId,
  externalId,
}: {
  db: Executor;
  hubId: string;
  externalId: string;
}): Promise<Channel | undefined> {
  const [row] = await db
    .select()
    .from(channels)
    .where(and(eq(channels.hubId, hubId), eq(channels.externalId, externalId)))
    .limit(1);
  return row;
}

/** The channels of a hub holding one of these phone numbers (360dialog's account events name only the number). */
export async function findChannelsByPhone({ db, hubId, phoneNumbers }: { db: Executor; hubId: string; phoneNumbers: string[] }): Promise<Channel[]> {
  if (phoneNumbers.length === 0) return [];
  return db
    .select()
    .from(channels)
    .where(and(inArray(channels.phoneNumber, phoneNumbers), eq(channels.hubId, hubId)))
    .limit(10);
}

export async function updateChannel({ db, id, set }: { db: Executor; id: string; set: Partial<NewChannel> }): Promise<Channel> {
  const [row] = await db
    .update(channels)
    .set({ ...set, updatedAt: sql`now()` })
    .where(eq(channels.id, id))
    .returning();
  if (!row) throw new Error("updateChannel: no such channel");
  return row;
}

/** Every channel of a hub, for reconciliation checks; ordered by external id. */
export async function listChannelsOfHub({ db, hubId }: { db: Executor; hubId: string }): Promise<Channel[]> {
  return db.select().from(channels).where(eq(channels.hubId, hubId)).orderBy(channels.externalId);
}

// ---- Stuck numbers: one small query per rule, each bounded by LIMIT and led by an index on (hub_id, ...). ----
// The rules' queries select the same columns, so a page runs them all, of every hub, as one statement of
// `(…) union all (…)` (listStuckCandidates): one round trip instead of one per rule and hub.

/** One rule's row: the number, when it became stuck (`since`), and the job or flags the rule names. */
export type StuckCandidate = {
  /** The rule's name as the query was built for it (lib/channels/stuck.ts StuckRule). */
  rule: string;
  channelId: string;
  hubId: string;
  externalId: string;
  phoneNumber: string | null;
  status: string;
  clientId: string | null;
  since: Date;
  /** How many rows the rule's query holds in all (every page; `count(*) over ()`, before the LIMIT). */
  total: number;
  jobId: string | null;
  jobKind: string | null;
  jobAttempts: number | null;
  jobError: string | null;
  jobRunAt: Date | null;
  jobMaxAttempts: number | null;
  /** The number's flags (rule restricted only: why it is restricted). */
  flags: Record<string, unknown> | null;
};

const jobPart = {
  jobId: sql<string | null>`${jobs.id}`,
  jobKind: sql<string | null>`${jobs.kind}`,
  jobAttempts: sql<number | null>`${jobs.attempts}`,
  jobError: sql<string | null>`${jobs.lastError}`,
  jobRunAt: sql<Date | null>`${jobs.runAt}`.mapWith(jobs.runAt),
  jobMaxAttempts: sql<number | null>`${jobs.maxAttempts}`,
};
// Typed nulls: the first query of a union sets its columns' types.
const noJobPart: typeof jobPart = {
  jobId: sql<string | null>`null::uuid`,
  jobKind: sql<string | null>`null::text`,
  jobAttempts: sql<number | null>`null::int`,
  jobError: sql<string | null>`null::text`,
  jobRunAt: sql<Date | null>`null::timestamptz`.mapWith(jobs.runAt),
  jobMaxAttempts: sql<number | null>`null::int`,
};
const noFlags = sql<Record<string, unknown> | null>`null::jsonb`.mapWith(channels.flags);

/** The columns of every rule's query, in one order (a union matches them by position). */
const candidateColumns = (rule: string, since: SQL, job: typeof jobPart, flags: SQL.Aliased | SQL = noFlags) => ({
  rule: sql<string>`${sql.raw(`'${rule.replace(/'/g, "''")}'`)}::text`,
  channelId: channels.id,
  hubId: channels.hubId,
  externalId: channels.externalId,
  phoneNumber: channels.phoneNumber,
  status: channels.status,
  // The client's name is read for the page's rows only (lib/channels/stuck.ts), not joined for every candidate.
  clientId: channels.clientId,
  since: sql<Date>`${since}`.mapWith(channels.createdAt),
  total: sql<number>`(count(*) over ())::int`,
  ...job,
  flags: sql<Record<string, unknown> | null>`${flags}`.mapWith(channels.flags),
});

/** A query of one rule, as the functions below build it (all select the same columns, whatever they read from). */
export type StuckRuleQuery = PgSetOperatorWithResult<StuckCandidate[]> &
  TypedQueryBuilder<unknown, StuckCandidate[]> &
  PromiseLike<StuckCandidate[]> & { prepare(name: string): PreparedStuckQuery };

/** Rule queries built once and run again with new values (listStuckCandidates' `prepare`). */
export type PreparedStuckQuery = { execute(values: Record<string, unknown>): Promise<StuckCandidate[]> };

/**
 * A value of a rule query: given now, or a placeholder that a statement built once fills at each run
 * (lib/channels/stuck.ts keeps the page's statement per shape, as building its SQL costs more than the rest of the
 * call). A placeholder's value is the text the cast reads: a uuid, an ISO time, an array of uuids.
 */
export type StuckValue<T> = T | Placeholder;
const asUuid = (v: StuckValue<string>): SQL => sql`${v}::uuid`;
const asTime = (v: StuckValue<Date>): SQL => sql`${v instanceof Date ? v.toISOString() : v}::timestamptz`;

/** What every rule's query takes besides its own thresholds. */
type RuleQueryInput = {
  db: Executor;
  hubId: StuckValue<string>;
  /** The rule's name, carried in each row. */
  rule: string;
  limit: number | Placeholder;
  /** Only these channels (a list page asks about its own rows). */
  channelIds?: StuckValue<string[]>;
  after?: StuckCursorValue;
};

/**
 * Optional narrowing to given channels (a list page asks only about its own rows): the ids go as one array
 * parameter, not as one parameter each, so the seven rule queries of a 50-row page bind 7 values instead of 350.
 */
const onlyChannels = (channelIds: StuckValue<string[]> | undefined): SQL | undefined =>
  channelIds === undefined ? undefined : sql`${channels.id} = any(${Array.isArray(channelIds) ? sql.param(channelIds) : channelIds}::uuid[])`;

// Constants in the SQL text, not parameters: a cached generic plan must still prove channels_stuck_not_running_idx's
// predicate, or it walks every channel of the hub oldest first.
const literalIn = (column: typeof channels.status, values: string[]): SQL =>
  values.length ? sql`${column} in (${sql.raw(values.map((v) => `'${v.replace(/'/g, "''")}'`).join(", "))})` : sql`false`;

/** A number whose cancellation was processed has nothing left to wait for (docs/channel-lifecycle.md §1). */
const notEnded = (): SQL => sql`${channels.cancellation} is distinct from 'cancelled'`;

/** Where the "Needs attention" list continues (cursor paging, oldest first): after this `since`, then channel id. */
export type StuckCursor = { since: Date; channelId: string };
type StuckCursorValue = { since: StuckValue<Date>; channelId: StuckValue<string> };

/**
 * Rows of a rule at or after the cursor, in the order the list pages by (since, channel id). At, not after: two
 * rules may name one channel at one time, so lib/channels/stuck.ts drops what the cursor already passed.
 */
const fromCursor = (since: SQL | typeof channels.createdAt, after: StuckCursorValue | undefined): SQL | undefined =>
  after ? sql`(${since} > ${asTime(after.since)} or (${since} = ${asTime(after.since)} and ${channels.id} >= ${asUuid(after.channelId)}))` : undefined;

const COUNT = { n: sql<number>`count(*)::int` };

/** Restricted numbers not cancelled, longest restricted first, along channels_stuck_restricted_idx. */
export function restrictedQuery({ db, hubId, rule, limit, channelIds, after }: RuleQueryInput): StuckRuleQuery {
  const since = restrictedSince();
  return db
    .select(candidateColumns(rule, since, noJobPart, sql`${channels.flags}`))
    .from(channels)
    .where(and(restrictedWhere(hubId, channelIds), fromCursor(since, after)))
    .orderBy(asc(since), asc(channels.id))
    .limit(limit);
}


const restrictedSince = () => sql`coalesce(${channels.restrictedAt}, ${channels.updatedAt})`;
// Literal, as in the index's predicate.
const restrictedWhere = (hubId: StuckValue<string>, channelIds?: StuckValue<string[]>) =>
  and(sql`${channels.hubId} = ${asUuid(hubId)}`, sql`${channels.restricted} and ${channels.cancellation} is null`, onlyChannels(channelIds));

/**
 * Numbers in a status the lifecycle does not know (`error`, anything new), not ended, along
 * channels_stuck_unknown_status_idx: its predicate's list is `knownStatuses` (lib/channels/stuck.ts passes the
 * ranked statuses of lib/hub/events.ts, in that order), spelled as literals so even a generic plan can prove it.
 */
export function unknownStatusQuery({ db, hubId, rule, knownStatuses, changedBefore, limit, channelIds, after }: RuleQueryInput & { knownStatuses: readonly string[]; changedBefore: StuckValue<Date> }): StuckRuleQuery {
  const since = sql`${channels.statusChangedAt}`;
  return db
    .select(candidateColumns(rule, since, noJobPart))
    .from(channels)
    .where(and(unknownStatusWhere({ hubId, knownStatuses, changedBefore, channelIds }), fromCursor(since, after)))
    .orderBy(asc(channels.statusChangedAt), asc(channels.id))
    .limit(limit);
}

const unknownStatusWhere = (p: { hubId: StuckValue<string>; knownStatuses: readonly string[]; changedBefore: StuckValue<Date>; channelIds?: StuckValue<string[]> }) =>
  and(
    sql`${channels.hubId} = ${asUuid(p.hubId)}`,
    sql`${channels.status} not in (${sql.raw(p.knownStatuses.map((v) => `'${v.replace(/'/g, "''")}'`).join(", "))}) and ${channels.cancellation} is null`,
    sql`${channels.statusChangedAt} < ${asTime(p.changedBefore)}`,
    onlyChannels(p.channelIds),
  );

/**
 * Key jobs that failed and wait for their next attempt, for channels without an active key (queued jobs are
 * few: jobs_claim_idx on status). The job's last error is the hub's answer.
 */
export function failingKeyQuery({ db, hubId, rule, limit, channelIds, after }: RuleQueryInput): StuckRuleQuery {
  const since = sql`${jobs.createdAt}`;
  return db
    .select(candidateColumns(rule, since, jobPart))
    .from(jobs)
    .innerJoin(channels, eq(channels.id, payloadUuid("channelId")))
    .where(and(failingKeyWhere(hubId, channelIds), fromCursor(since, after)))
    .orderBy(asc(jobs.createdAt), asc(channels.id))
    .limit(limit);
}

const failingKeyWhere = (hubId: StuckValue<string>, channelIds?: StuckValue<string[]>) =>
  and(
    eq(jobs.status, "queued"),
    eq(jobs.kind, "api_key.provision"),
    sql`${jobs.attempts} > 0 and ${jobs.lastError} is not null`,
    sql`${channels.hubId} = ${asUuid(hubId)}`,
    sql`not ${channels.hasActiveKey}`,
    notEnded(),
    grantUnfulfilled(),
    onlyChannels(channelIds),
  );

/** Known statuses before `running`, oldest first along channels_stuck_not_running_idx (hub_id, created_at). */
export function notRunningQuery({ db, hubId, rule, statuses, createdBefore, limit, channelIds, after }: RuleQueryInput & { statuses: string[]; createdBefore: StuckValue<Date> }): StuckRuleQuery {
  return db
    .select(candidateColumns(rule, sql`${channels.createdAt}`, noJobPart))
    .from(channels)
    .where(and(notRunningWhere({ hubId, statuses, createdBefore, channelIds }), fromCursor(channels.createdAt, after)))
    .orderBy(asc(channels.createdAt), asc(channels.id))
    .limit(limit);
}

const notRunningWhere = (p: { hubId: StuckValue<string>; statuses: string[]; createdBefore: StuckValue<Date>; channelIds?: StuckValue<string[]> }) =>
  and(
    sql`${channels.hubId} = ${asUuid(p.hubId)}`,
    literalIn(channels.status, p.statuses),
    sql`${channels.createdAt} < ${asTime(p.createdBefore)}`,
    notEnded(),
    onlyChannels(p.channelIds),
  );

/** Running (or further), permitted since before `readyBefore`, and no active key (api_keys_channel_status_idx probe). */
export function noKeyQuery({ db, hubId, rule, statuses, readyBefore, limit, channelIds, after }: RuleQueryInput & { statuses: string[]; readyBefore: StuckValue<Date> }): StuckRuleQuery {
  const since = noKeySince();
  return db
    .select(candidateColumns(rule, since, noJobPart))
    .from(channels)
    .where(and(noKeyWhere(db, { hubId, statuses, readyBefore, channelIds }), fromCursor(since, after)))
    .orderBy(asc(since), asc(channels.id))
    .limit(limit);
}

const noKeySince = () => sql`greatest(${channels.statusChangedAt}, coalesce(${channels.permissionChangedAt}, ${channels.statusChangedAt}))`;

const noKeyWhere = (db: Executor, p: { hubId: StuckValue<string>; statuses: string[]; readyBefore: StuckValue<Date>; channelIds?: StuckValue<string[]> }) =>
  and(
    sql`${channels.hubId} = ${asUuid(p.hubId)}`,
    literalIn(channels.status, p.statuses),
    // Literal, as in channels_stuck_no_key_idx's predicate, so even a generic plan may use that partial index.
    sql`${channels.permission} = 'granted' and not ${channels.hasActiveKey} and ${channels.statusRank} >= 50`,
    sql`${channels.statusChangedAt} < ${asTime(p.readyBefore)}`,
    notEnded(),
    sql`coalesce(${channels.permissionChangedAt}, ${channels.statusChangedAt}) < ${asTime(p.readyBefore)}`,
    notExists(
      db
        .select({ one: sql`1` })
        .from(apiKeys)
        .where(and(eq(apiKeys.channelId, channels.id), eq(apiKeys.status, "active"))),
    ),
    // A failing key job already says why the key is missing: such a number is listed (and counted) once, under
    // key_failing.
    notExists(failingKeyJobOf(db)),
    onlyChannels(p.channelIds),
  );

/** The channel's key job that failed and waits for its next attempt (the key_failing rule's job). */
const failingKeyJobOf = (db: Executor) =>
  db
    .select({ one: sql`1` })
    .from(jobs)
    .where(
      and(
        eq(jobs.status, "queued"),
        eq(jobs.kind, "api_key.provision"),
        sql`${jobs.attempts} > 0 and ${jobs.lastError} is not null`,
        sql`${payloadUuid("channelId")} = ${channels.id}`,
        grantUnfulfilled(),
      ),
    );

/** Direct-payment numbers whose client has not granted the partner permission, oldest first. */
export function noPermissionQuery({ db, hubId, rule, createdBefore, limit, channelIds, after }: RuleQueryInput & { createdBefore: StuckValue<Date> }): StuckRuleQuery {
  return db
    .select(candidateColumns(rule, sql`${channels.createdAt}`, noJobPart))
    .from(channels)
    .where(and(noPermissionWhere({ hubId, createdBefore, channelIds }), fromCursor(channels.createdAt, after)))
    .orderBy(asc(channels.createdAt), asc(channels.id))
    .limit(limit);
}

const noPermissionWhere = (p: { hubId: StuckValue<string>; createdBefore: StuckValue<Date>; channelIds?: StuckValue<string[]> }) =>
  and(
    sql`${channels.hubId} = ${asUuid(p.hubId)}`,
    sql`${channels.createdAt} < ${asTime(p.createdBefore)}`,
    sql`${channels.permission} <> 'granted'`,
    notEnded(),
    onlyChannels(p.channelIds),
  );

// A payload id that is not a uuid matches nothing instead of failing the cast.
const payloadUuid = (key: string): SQL =>
  sql`case when ${jobs.payload}->>${key} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then (${jobs.payload}->>${key})::uuid end`;

// A dead key job still matters while its grant has no key; a dead webhook job while its event is unprocessed
// (a replay runs as a new job and leaves the dead one as history).
const grantUnfulfilled = (): SQL =>
  sql`not exists (select 1 from ${apiKeys} where ${apiKeys.channelId} = ${channels.id}
    and ${apiKeys.grantId} = ${jobs.payload}->>'grantId' and ${apiKeys.status} in ('active', 'revoked'))`;

/**
 * Dead key jobs and dead webhook jobs of the hub's channels (dead jobs are few: jobs_claim_idx on status): two
 * queries, each with its own total (its rows carry their job's kind).
 */
export function deadJobQueries({ db, hubId, rule, limit, channelIds, after }: RuleQueryInput): [StuckRuleQuery, StuckRuleQuery] {
  const since = deadSince();
  const keyJobs = db
    .select(candidateColumns(rule, since, jobPart))
    .from(jobs)
    .innerJoin(channels, eq(channels.id, payloadUuid("channelId")))
    .where(and(deadKeyWhere(hubId, channelIds), fromCursor(since, after)))
    .orderBy(asc(since), asc(channels.id))
    .limit(limit);
  const webhookJobs = db
    .select(candidateColumns(rule, since, jobPart))
    .from(jobs)
    .innerJoin(webhookEvents, eq(webhookEvents.id, payloadUuid("webhookEventId")))
    .innerJoin(channels, and(eq(channels.hubId, webhookEvents.hubId), eq(channels.externalId, webhookEvents.channelExternalId)))
    .where(and(deadWebhookWhere(hubId, channelIds), fromCursor(since, after)))
    .orderBy(asc(since), asc(channels.id))
    .limit(limit);
  return [keyJobs, webhookJobs];
}

const deadSince = () => sql`coalesce(${jobs.finishedAt}, ${jobs.updatedAt})`;
const deadKeyWhere = (hubId: StuckValue<string>, channelIds?: StuckValue<string[]>) =>
  and(eq(jobs.status, "dead"), eq(jobs.kind, "api_key.provision"), sql`${channels.hubId} = ${asUuid(hubId)}`, grantUnfulfilled(), onlyChannels(channelIds));
const deadWebhookWhere = (hubId: StuckValue<string>, channelIds?: StuckValue<string[]>) =>
  and(
    eq(jobs.status, "dead"),
    eq(jobs.kind, "webhook.process"),
    sql`${webhookEvents.hubId} = ${asUuid(hubId)}`,
    notInArray(webhookEvents.status, ["done", "ignored"]),
    onlyChannels(channelIds),
  );

/**
 * The given rule queries as one statement (`(…) union all (…)`, each keeping its ORDER BY and LIMIT), built once:
 * `execute` fills their placeholders. None: a statement that returns nothing.
 */
export function prepareStuckCandidates(queries: StuckRuleQuery[], name: string): PreparedStuckQuery {
  const [first, second, ...rest] = queries;
  if (!first) return { execute: async () => [] };
  if (!second) return first.prepare(name);
  return unionAll(first, second, ...rest).prepare(name) as PreparedStuckQuery;
}

/**
 * How many rows each "Needs attention" rule holds for one hub (the list's true count, docs/channel-lifecycle.md §4),
 * with the same conditions as the list queries above, each led by the same partial index.
 */
export async function countStuckCandidates({
  db,
  hubId,
  notRunning,
  noKey,
  noPermission,
  unknownStatus,
}: {
  db: Executor;
  hubId: string;
  notRunning: { statuses: string[]; createdBefore: Date };
  noKey: { statuses: string[]; readyBefore: Date };
  /** Only for direct-payment hubs. */
  noPermission: { createdBefore: Date } | null;
  unknownStatus: { knownStatuses: readonly string[]; changedBefore: Date };
}): Promise<Record<"not_running" | "no_api_key" | "no_permission" | "dead_job" | "restricted" | "unknown_status" | "key_failing", number>> {
  const counts = {
    not_running: db.select(COUNT).from(channels).where(notRunningWhere({ hubId, ...notRunning })),
    no_api_key: db.select(COUNT).from(channels).where(noKeyWhere(db, { hubId, ...noKey })),
    no_permission: noPermission ? db.select(COUNT).from(channels).where(noPermissionWhere({ hubId, ...noPermission })) : sql`0`,
    dead_key: db.select(COUNT).from(jobs).innerJoin(channels, eq(channels.id, payloadUuid("channelId"))).where(deadKeyWhere(hubId)),
    dead_webhook: db
      .select(COUNT)
      .from(jobs)
      .innerJoin(webhookEvents, eq(webhookEvents.id, payloadUuid("webhookEventId")))
      .innerJoin(channels, and(eq(channels.hubId, webhookEvents.hubId), eq(channels.externalId, webhookEvents.channelExternalId)))
      .where(deadWebhookWhere(hubId)),
    restricted: db.select(COUNT).from(channels).where(restrictedWhere(hubId)),
    unknown_status: db.select(COUNT).from(channels).where(unknownStatusWhere({ hubId, ...unknownStatus })),
    key_failing: db.select(COUNT).from(jobs).innerJoin(channels, eq(channels.id, payloadUuid("channelId"))).where(failingKeyWhere(hubId)),
  };
  // Every count as a scalar subquery of one statement: one round trip.
  const [row] = await rowsOf<Record<keyof typeof counts, number | string>>(
    db,
    sql`select ${sql.join(Object.entries(counts).map(([name, query]) => sql`(${query}) as ${sql.identifier(name)}`), sql`, `)}`,
  );
  const n = (name: keyof typeof counts) => Number(row?.[name] ?? 0);
  return {
    not_running: n("not_running"),
    no_api_key: n("no_api_key"),
    no_permission: n("no_permission"),
    dead_job: n("dead_key") + n("dead_webhook"),
    restricted: n("restricted"),
    unknown_status: n("unknown_status"),
    key_failing: n("key_failing"),
  };
}

/** A dead key job of the channel whose grant still has no key (for "retry key"). */
export async function findDeadKeyJob({ db, channelId }: { db: Executor; channelId: string }): Promise<{ id: string } | undefined> {
  const [row] = await db
    .select({ id: jobs.id })
    .from(jobs)
    .innerJoin(channels, eq(channels.id, payloadUuid("channelId")))
    .where(and(eq(jobs.status, "dead"), eq(jobs.kind, "api_key.provision"), eq(channels.id, channelId), grantUnfulfilled()))
    .limit(1);
  return row;
}

export type KeyJobState = {
  id: string;
  status: "queued" | "running" | "dead";
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: Date;
};

/**
 * The newest unfinished or dead key job of a channel whose grant still has no key: what the key panel says while
 * a key is missing (docs/channel-lifecycle.md §4). Queued, running and dead jobs are few (jobs_claim_idx on status).
 */
export async function findKeyJobState({ db, channelId }: { db: Executor; channelId: string }): Promise<KeyJobState | undefined> {
  const [row] = await db
    .select({ id: jobs.id, status: jobs.status, attempts: jobs.attempts, maxAttempts: jobs.maxAttempts, lastError: jobs.lastError, runAt: jobs.runAt })
    .from(jobs)
    .innerJoin(channels, eq(channels.id, payloadUuid("channelId")))
    .where(and(inArray(jobs.status, ["queued", "running", "dead"]), eq(jobs.kind, "api_key.provision"), eq(channels.id, channelId), grantUnfulfilled()))
    .orderBy(sql`${jobs.createdAt} desc`)
    .limit(1);
  return row && row.status !== "done" ? { ...row, status: row.status } : undefined;
}

/** "Retry now": a key job waiting for its next attempt becomes due at once. False when none is waiting. */
export async function runWaitingKeyJobNow({ db, id }: { db: Executor; id: string }): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ runAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(jobs.id, id), eq(jobs.status, "queued"), eq(jobs.kind, "api_key.provision")))
    .returning({ id: jobs.id });
  return rows.length > 0;
}
