import "server-only";
import { and, asc, eq, inArray, lt, notExists, notInArray, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { apiKeys, channels, clients, jobs, webhookEvents, type Channel } from "../schema";

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

export type StuckCandidate = {
  channelId: string;
  hubId: string;
  externalId: string;
  phoneNumber: string | null;
  status: string;
  clientName: string | null;
  since: Date;
  jobId: string | null;
  jobKind: string | null;
  jobAttempts: number | null;
};

const candidateColumns = {
  channelId: channels.id,
  hubId: channels.hubId,
  externalId: channels.externalId,
  phoneNumber: channels.phoneNumber,
  status: channels.status,
  clientName: clients.name,
};

const noJob = { jobId: null, jobKind: null, jobAttempts: null } as const;

/** Optional narrowing to given channels (a list page asks only about its own rows). */
const onlyChannels = (channelIds: string[] | undefined): SQL | undefined => (channelIds ? (channelIds.length ? inArray(channels.id, channelIds) : sql`false`) : undefined);

// Constants in the SQL text, not parameters: a cached generic plan must still prove channels_stuck_not_running_idx's
// predicate, or it walks every channel of the hub oldest first.
const literalIn = (column: typeof channels.status, values: string[]): SQL =>
  values.length ? sql`${column} in (${sql.raw(values.map((v) => `'${v.replace(/'/g, "''")}'`).join(", "))})` : sql`false`;

/** A number whose cancellation was processed has nothing left to wait for (docs/channel-lifecycle.md §1). */
const notEnded = (): SQL => sql`${channels.cancellation} is distinct from 'cancelled'`;

/** Restricted numbers not cancelled, longest restricted first, along channels_stuck_restricted_idx. */
export async function listRestrictedChannels({
  db,
  hubId,
  limit,
  channelIds,
}: {
  db: Executor;
  hubId: string;
  limit: number;
  channelIds?: string[];
}): Promise<(StuckCandidate & { flags: Record<string, unknown> })[]> {
  const since = sql<Date>`coalesce(${channels.restrictedAt}, ${channels.updatedAt})`.mapWith(channels.updatedAt);
  const rows = await db
    .select({ ...candidateColumns, since, flags: channels.flags })
    .from(channels)
    .leftJoin(clients, eq(clients.id, channels.clientId))
    // Literal, as in the index's predicate.
    .where(and(eq(channels.hubId, hubId), sql`${channels.restricted} and ${channels.cancellation} is null`, onlyChannels(channelIds)))
    .orderBy(asc(channels.restrictedAt))
    .limit(limit);
  return rows.map((r) => ({ ...r, ...noJob }));
}

/**
 * Numbers in a status the lifecycle does not know (`error`, anything new), not ended, along
 * channels_stuck_unknown_status_idx: its predicate's list is `knownStatuses` (lib/channels/stuck.ts passes the
 * ranked statuses of lib/hub/events.ts, in that order), spelled as literals so even a generic plan can prove it.
 */
export async function listChannelsInUnknownStatus({
  db,
  hubId,
  knownStatuses,
  changedBefore,
  limit,
  channelIds,
}: {
  db: Executor;
  hubId: string;
  knownStatuses: readonly string[];
  changedBefore: Date;
  limit: number;
  channelIds?: string[];
}): Promise<StuckCandidate[]> {
  const rows = await db
    .select({ ...candidateColumns, since: channels.statusChangedAt })
    .from(channels)
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(
      and(
        eq(channels.hubId, hubId),
        sql`${channels.status} not in (${sql.raw(knownStatuses.map((v) => `'${v.replace(/'/g, "''")}'`).join(", "))}) and ${channels.cancellation} is null`,
        lt(channels.statusChangedAt, changedBefore),
        onlyChannels(channelIds),
      ),
    )
    .orderBy(asc(channels.statusChangedAt))
    .limit(limit);
  return rows.map((r) => ({ ...r, ...noJob }));
}

/**
 * Key jobs that failed and wait for their next attempt, for channels without an active key (queued jobs are
 * few: jobs_claim_idx on status). The job's last error is the hub's answer.
 */
export async function listChannelsWithFailingKeyJobs({
  db,
  hubId,
  limit,
  channelIds,
}: {
  db: Executor;
  hubId: string;
  limit: number;
  channelIds?: string[];
}): Promise<(StuckCandidate & { jobError: string | null; jobRunAt: Date; jobMaxAttempts: number })[]> {
  return db
    .select({
      ...candidateColumns,
      since: jobs.createdAt,
      jobId: jobs.id,
      jobKind: jobs.kind,
      jobAttempts: jobs.attempts,
      jobError: jobs.lastError,
      jobRunAt: jobs.runAt,
      jobMaxAttempts: jobs.maxAttempts,
    })
    .from(jobs)
    .innerJoin(channels, eq(channels.id, payloadUuid("channelId")))
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(
      and(
        eq(jobs.status, "queued"),
        eq(jobs.kind, "api_key.provision"),
        sql`${jobs.attempts} > 0 and ${jobs.lastError} is not null`,
        eq(channels.hubId, hubId),
        sql`not ${channels.hasActiveKey}`,
        notEnded(),
        grantUnfulfilled(),
        onlyChannels(channelIds),
      ),
    )
    .orderBy(asc(jobs.createdAt))
    .limit(limit);
}

/** Known statuses before `running`, oldest first along channels_stuck_not_running_idx (hub_id, created_at). */
export async function listChannelsNotRunning({
  db,
  hubId,
  statuses,
  createdBefore,
  limit,
  channelIds,
}: {
  db: Executor;
  hubId: string;
  statuses: string[];
  createdBefore: Date;
  limit: number;
  channelIds?: string[];
}): Promise<StuckCandidate[]> {
  const rows = await db
    .select({ ...candidateColumns, since: channels.createdAt })
    .from(channels)
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(and(eq(channels.hubId, hubId), literalIn(channels.status, statuses), lt(channels.createdAt, createdBefore), notEnded(), onlyChannels(channelIds)))
    .orderBy(asc(channels.createdAt))
    .limit(limit);
  return rows.map((r) => ({ ...r, ...noJob }));
}

/** Running (or further), permitted since before `readyBefore`, and no active key (api_keys_channel_status_idx probe). */
export async function listRunningChannelsWithoutKey({
  db,
  hubId,
  statuses,
  readyBefore,
  limit,
  channelIds,
}: {
  db: Executor;
  hubId: string;
  statuses: string[];
  readyBefore: Date;
  limit: number;
  channelIds?: string[];
}): Promise<StuckCandidate[]> {
  const since = sql<Date>`greatest(${channels.statusChangedAt}, coalesce(${channels.permissionChangedAt}, ${channels.statusChangedAt}))`.mapWith(
    channels.statusChangedAt,
  );
  const rows = await db
    .select({ ...candidateColumns, since })
    .from(channels)
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(
      and(
        eq(channels.hubId, hubId),
        inArray(channels.status, statuses),
        // Literal, as in channels_stuck_no_key_idx's predicate, so even a generic plan may use that partial index.
        sql`${channels.permission} = 'granted' and not ${channels.hasActiveKey} and ${channels.statusRank} >= 50`,
        lt(channels.statusChangedAt, readyBefore),
        notEnded(),
        sql`coalesce(${channels.permissionChangedAt}, ${channels.statusChangedAt}) < ${readyBefore.toISOString()}::timestamptz`,
        notExists(
          db
            .select({ one: sql`1` })
            .from(apiKeys)
            .where(and(eq(apiKeys.channelId, channels.id), eq(apiKeys.status, "active"))),
        ),
        onlyChannels(channelIds),
      ),
    )
    .orderBy(asc(channels.statusChangedAt))
    .limit(limit);
  return rows.map((r) => ({ ...r, ...noJob }));
}

export async function listChannelsWithoutPermission({
  db,
  hubId,
  createdBefore,
  limit,
  channelIds,
}: {
  db: Executor;
  hubId: string;
  createdBefore: Date;
  limit: number;
  channelIds?: string[];
}): Promise<StuckCandidate[]> {
  const rows = await db
    .select({ ...candidateColumns, since: channels.createdAt })
    .from(channels)
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(and(eq(channels.hubId, hubId), lt(channels.createdAt, createdBefore), sql`${channels.permission} <> 'granted'`, notEnded(), onlyChannels(channelIds)))
    .orderBy(asc(channels.createdAt))
    .limit(limit);
  return rows.map((r) => ({ ...r, ...noJob }));
}

// A payload id that is not a uuid matches nothing instead of failing the cast.
const payloadUuid = (key: string): SQL =>
  sql`case when ${jobs.payload}->>${key} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then (${jobs.payload}->>${key})::uuid end`;

// A dead key job still matters while its grant has no key; a dead webhook job while its event is unprocessed
// (a replay runs as a new job and leaves the dead one as history).
const grantUnfulfilled = (): SQL =>
  sql`not exists (select 1 from ${apiKeys} where ${apiKeys.channelId} = ${channels.id}
    and ${apiKeys.grantId} = ${jobs.payload}->>'grantId' and ${apiKeys.status} in ('active', 'revoked'))`;

/** Dead key jobs and dead webhook jobs of the hub's channels (dead jobs are few: jobs_claim_idx on status). */
export async function listChannelsWithDeadJobs({
  db,
  hubId,
  limit,
  channelIds,
}: {
  db: Executor;
  hubId: string;
  limit: number;
  channelIds?: string[];
}): Promise<StuckCandidate[]> {
  const jobColumns = {
    ...candidateColumns,
    since: sql<Date>`coalesce(${jobs.finishedAt}, ${jobs.updatedAt})`.mapWith(jobs.updatedAt),
    jobId: jobs.id,
    jobKind: jobs.kind,
    jobAttempts: jobs.attempts,
  };
  const keyJobs = await db
    .select(jobColumns)
    .from(jobs)
    .innerJoin(channels, eq(channels.id, payloadUuid("channelId")))
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(and(eq(jobs.status, "dead"), eq(jobs.kind, "api_key.provision"), eq(channels.hubId, hubId), grantUnfulfilled(), onlyChannels(channelIds)))
    .limit(limit);
  const webhookJobs = await db
    .select(jobColumns)
    .from(jobs)
    .innerJoin(webhookEvents, eq(webhookEvents.id, payloadUuid("webhookEventId")))
    .innerJoin(channels, and(eq(channels.hubId, webhookEvents.hubId), eq(channels.externalId, webhookEvents.channelExternalId)))
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(
      and(
        eq(jobs.status, "dead"),
        eq(jobs.kind, "webhook.process"),
        eq(webhookEvents.hubId, hubId),
        notInArray(webhookEvents.status, ["done", "ignored"]),
        onlyChannels(channelIds),
      ),
    )
    .limit(limit);
  return [...keyJobs, ...webhookJobs];
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
