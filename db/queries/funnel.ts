import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type Executor } from "../client";

// The onboarding funnel of the Overview (lib/dashboard/funnel.ts holds the definition). Two statements: counts of the cohort and of link opens (daily rollup plus the partial edge days), then the steps and
// step-to-step times of the cohort's sessions (all of them, or a uniform sample by session id when the cohort is large).

export type FunnelScope = { hubIds: readonly string[]; from: Date; to: Date };

// The funnel's reads rely on JIT being off (db/client.ts sets it for every connection): the planner prices every
// per-session probe and index entry, so large periods cross jit_above_cost, and compiling the plan (50-200 ms
// measured) costs more than running it.

const hubList = (hubIds: readonly string[]) => sql.join(hubIds.map((id) => sql`${id}::uuid`), sql`, `);
const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const maybe = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

const DAY_MS = 86_400_000;
const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * Rows in [from, to) of one rollup kind, as one SQL expression: whole UTC days inside the period from
 * onboarding_daily_counts (kept by the triggers of drizzle/0007), the partial days at either edge counted exactly
 * by `exact(lo, hi)`, an index range. The cost stays flat however many rows the period holds; a period within one
 * day is counted exactly.
 */
function countByDays({ hubIds, from, to }: FunnelScope, kind: "session_created" | "link_opened", exact: (lo: Date, hi: Date) => SQL): SQL {
  if (hubIds.length === 0 || !(from.getTime() < to.getTime())) return sql`0`;
  const firstDay = Math.ceil(from.getTime() / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(to.getTime() / DAY_MS) * DAY_MS;
  const parts: SQL[] = [];
  if (firstDay < lastDay) {
    parts.push(sql`(select coalesce(sum(d.n), 0) from onboarding_daily_counts d where d.hub_id in (${hubList(hubIds)})
      and d.day >= ${isoDay(firstDay)}::date and d.day < ${isoDay(lastDay)}::date and d.kind = ${kind})`);
    if (from.getTime() < firstDay) parts.push(sql`(${exact(from, new Date(firstDay))})`);
    if (lastDay < to.getTime()) parts.push(sql`(${exact(new Date(lastDay), to)})`);
  } else {
    parts.push(sql`(${exact(from, to)})`);
  }
  return sql`(${sql.join(parts, sql` + `)})::bigint`;
}

/** Sessions started in the period: daily counts, and ranges of onboarding_sessions_hub_created_idx at the edges. */
const sessionsStarted = (scope: FunnelScope): SQL =>
  countByDays(
    scope,
    "session_created",
    (lo, hi) => sql`select count(*) from onboarding_sessions s
      where s.hub_id in (${hubList(scope.hubIds)}) and s.created_at >= ${lo.toISOString()}::timestamptz and s.created_at < ${hi.toISOString()}::timestamptz`,
  );

/** Invite-link opens in the period: daily counts, and ranges of onboarding_events_hub_kind_at_idx at the edges. */
const linkOpens = (scope: FunnelScope): SQL =>
  countByDays(
    scope,
    "link_opened",
    (lo, hi) => sql`select count(*) from onboarding_events e
      where e.hub_id in (${hubList(scope.hubIds)}) and e.kind = 'link_opened' and e.at >= ${lo.toISOString()}::timestamptz and e.at < ${hi.toISOString()}::timestamptz`,
  );

/** Sessions started in the period and invite-link opens in it, in one statement. */
export async function countFunnelTotals(scope: { db: Executor } & FunnelScope): Promise<{ started: number; linkOpened: number }> {
  const [row] = await rowsOf<{ started: unknown; link_opened: unknown }>(scope.db, sql`select ${sessionsStarted(scope)} as started, ${linkOpens(scope)} as link_opened`);
  return { started: num(row?.started), linkOpened: num(row?.link_opened) };
}

/**
 * The whole funnel of a period in two statements: the totals, then the steps of the cohort, or of the sample
 * `sampleOf(started)` chooses (lib/dashboard/funnel.ts).
 */
export async function readFunnel(
  scope: { db: Executor } & FunnelScope,
  sampleOf: (started: number) => number | null,
): Promise<{ started: number; linkOpened: number; steps: FunnelSample }> {
  const totals = await countFunnelTotals(scope);
  return { ...totals, steps: await sampleFunnelSteps({ ...scope, buckets: sampleOf(totals.started) }) };
}

/** Per step: sessions (of the cohort or its sample) that reached it, and the median seconds from the step before. */
export type FunnelSample = {
  sessions: number;
  fromInvite: number;
  returned: number;
  clientConfirmed: number;
  channelCreated: number;
  channelRunning: number;
  keyStored: number;
  medianSeconds: {
    started: number | null;
    returned: number | null;
    clientConfirmed: number | null;
    channelCreated: number | null;
    channelRunning: number | null;
    keyStored: number | null;
  };
};

/**
 * The steps of the sessions started in the period (with `buckets`, only those whose random id's first byte is
 * below it: a uniform sample of buckets/256), each step once per session at its first time, followed up to now.
 * `link_opened` before a session is the latest open of its invite at or before the start.
 */
export async function sampleFunnelSteps({
  db,
  hubIds,
  from,
  to,
  buckets,
}: { db: Executor; buckets: number | null } & FunnelScope): Promise<FunnelSample> {
  const empty: FunnelSample = {
    sessions: 0,
    fromInvite: 0,
    returned: 0,
    clientConfirmed: 0,
    channelCreated: 0,
    channelRunning: 0,
    keyStored: 0,
    medianSeconds: { started: null, returned: null, clientConfirmed: null, channelCreated: null, channelRunning: null, keyStored: null },
  };
  if (hubIds.length === 0) return empty;
  // The buckets as a list, not a range: each is its own range of onboarding_sessions_sample_idx (drizzle/0015),
  // whose expression this repeats, and that index carries every column read here, so no session row is visited.
  const sample =
    buckets === null ? sql`` : sql`and get_byte(uuid_send(s.id), 0) = any(${sql.param(Array.from({ length: Math.max(1, Math.min(256, buckets)) }, (_, i) => i))}::int[])`;
  const median = (later: string, earlier: string) =>
    sql.raw(`percentile_cont(0.5) within group (order by extract(epoch from ${later} - ${earlier}))`);
  // The first time of each step is kept on the session row (drizzle/0013), so the cohort is one range of an index
  // on (hub_id, created_at) and no session's events are read.
  const query = sql`with cohort as (
        select s.created_at, s.invite_id, s.first_returned_at, s.first_client_confirmed_at, s.first_channel_created_at,
          s.first_channel_running_at, s.first_key_stored_at
        from onboarding_sessions s
        where s.hub_id in (${hubList(hubIds)}) and s.created_at >= ${from.toISOString()}::timestamptz
          and s.created_at < ${to.toISOString()}::timestamptz ${sample}
      ),
      per_session as (
        select c.created_at as started, c.invite_id,
          c.first_returned_at as returned,
          c.first_client_confirmed_at as client_confirmed,
          c.first_channel_created_at as channel_created,
          c.first_channel_running_at as channel_running,
          c.first_key_stored_at as key_stored,
          (select max(l.at) from onboarding_events l
            where c.invite_id is not null and l.invite_id = c.invite_id and l.session_id is null
              and l.kind = 'link_opened' and l.at <= c.created_at) as opened
        from cohort c
      )
      select count(*)::int as sessions,
        count(invite_id)::int as from_invite,
        count(returned)::int as returned,
        count(client_confirmed)::int as client_confirmed,
        count(channel_created)::int as channel_created,
        count(channel_running)::int as channel_running,
        count(key_stored)::int as key_stored,
        ${median("started", "opened")} as m_started,
        ${median("returned", "started")} as m_returned,
        ${median("client_confirmed", "returned")} as m_client_confirmed,
        ${median("channel_created", "client_confirmed")} as m_channel_created,
        ${median("channel_running", "channel_created")} as m_channel_running,
        ${median("key_stored", "channel_running")} as m_key_stored
      from per_session`;
  const [row] = await rowsOf<Record<string, unknown>>(db, query);
  if (!row) return empty;
  return {
    sessions: num(row.sessions),
    fromInvite: num(row.from_invite),
    returned: num(row.returned),
    clientConfirmed: num(row.client_confirmed),
    channelCreated: num(row.channel_created),
    channelRunning: num(row.channel_running),
    keyStored: num(row.key_stored),
    medianSeconds: {
      started: maybe(row.m_started),
      returned: maybe(row.m_returned),
      clientConfirmed: maybe(row.m_client_confirmed),
      channelCreated: maybe(row.m_channel_created),
      channelRunning: maybe(row.m_channel_running),
      keyStored: maybe(row.m_key_stored),
    },
  };
}
