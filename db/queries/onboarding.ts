import "server-only";
import { and, asc, desc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import { rowsOf, type Executor } from "../client";
import { apiKeys, channels, clients, hubs, onboardingEvents, onboardingSessions, type Channel, type Hub, type OnboardingEvent, type OnboardingSession } from "../schema";

export type NewOnboardingSession = typeof onboardingSessions.$inferInsert;

/** Replaces hubs.settings.onboarding in one statement, so other keys of settings written meanwhile survive. */
export async function setHubOnboardingSettings({ db, hubId, onboarding }: { db: Executor; hubId: string; onboarding: Record<string, unknown> }): Promise<void> {
  await db
    .update(hubs)
    .set({
      settings: sql`jsonb_set(coalesce(${hubs.settings}, '{}'::jsonb), '{onboarding}', ${JSON.stringify(onboarding)}::jsonb, true)`,
      updatedAt: sql`now()`,
    })
    .where(eq(hubs.id, hubId));
}

export async function listOpenSignupHubs({ db }: { db: Executor }): Promise<Hub[]> {
  return db.select().from(hubs).where(and(eq(hubs.openSignup, true), isNull(hubs.archivedAt))).orderBy(asc(hubs.createdAt), asc(hubs.id));
}

export async function insertOnboardingSession({ db, session }: { db: Executor; session: NewOnboardingSession }): Promise<OnboardingSession> {
  const [row] = await db.insert(onboardingSessions).values(session).returning();
  if (!row) throw new Error("insertOnboardingSession returned no row");
  return row;
}

export async function findSessionById({ db, id }: { db: Executor; id: string }): Promise<OnboardingSession | undefined> {
  const [row] = await db.select().from(onboardingSessions).where(eq(onboardingSessions.id, id)).limit(1);
  return row;
}

export async function findSessionByStateHash({ db, stateHash }: { db: Executor; stateHash: string }): Promise<OnboardingSession | undefined> {
  const [row] = await db.select().from(onboardingSessions).where(eq(onboardingSessions.stateHash, stateHash)).limit(1);
  return row;
}

export async function findSessionByStatusTokenHash({ db, tokenHash }: { db: Executor; tokenHash: string }): Promise<OnboardingSession | undefined> {
  const [row] = await db.select().from(onboardingSessions).where(eq(onboardingSessions.statusTokenHash, tokenHash)).limit(1);
  return row;
}

/**
 * The one-time use of a session (docs/security.md R11): only the first caller with the right browser, before expiry, gets the
 * row back; every later or concurrent caller gets undefined.
 */
export async function consumeSession({
  db,
  id,
  browserBindingHash,
  set = {},
}: {
  db: Executor;
  id: string;
  browserBindingHash: string;
  set?: Partial<Pick<NewOnboardingSession, "status" | "clientExternalId" | "channelExternalIds" | "revokedExternalIds" | "error">>;
}): Promise<OnboardingSession | undefined> {
  const [row] = await db
    .update(onboardingSessions)
    .set({ ...set, consumedAt: sql`now()`, updatedAt: sql`now()` })
    .where(
      and(
        eq(onboardingSessions.id, id),
        isNull(onboardingSessions.consumedAt),
        gt(onboardingSessions.expiresAt, sql`now()`),
        eq(onboardingSessions.browserBindingHash, browserBindingHash),
      ),
    )
    .returning();
  return row;
}

export async function updateSession({
  db,
  id,
  set,
}: {
  db: Executor;
  id: string;
  set: Partial<Omit<NewOnboardingSession, "id" | "hubId" | "createdAt">> & { consumedAt?: Date | null };
}): Promise<OnboardingSession | undefined> {
  const [row] = await db
    .update(onboardingSessions)
    .set({ ...set, updatedAt: sql`now()` })
    .where(eq(onboardingSessions.id, id))
    .returning();
  return row;
}

/** Sessions that list this channel (for funnel steps reported by webhooks). */
export async function findSessionsWithChannel({ db, hubId, channelExternalId }: { db: Executor; hubId: string; channelExternalId: string }): Promise<OnboardingSession[]> {
  return db
    .select()
    .from(onboardingSessions)
    .where(
      and(
        eq(onboardingSessions.hubId, hubId),
        sql`${onboardingSessions.channelExternalIds} @> ${JSON.stringify([channelExternalId])}::jsonb`,
      ),
    )
    // An order no index supplies, so the GIN index on channel_external_ids (drizzle/0006) leads under any plan. By
    // plain created_at, a generic plan (a statement prepared server-side, from its sixth run; drizzle sends unnamed
    // ones today) walks the hub's sessions backwards hoping to meet 20 matches: all of them for a number no session
    // lists (2-3 s at 1M measured).
    .orderBy(desc(sql`${onboardingSessions.createdAt} + interval '0 seconds'`))
    .limit(20);
}

/**
 * Appends a funnel step unless the same step was already recorded for the same session (or invite, when there
 * is no session) and channel within `dedupeSeconds`; null = ever. Returns whether a row was written.
 */
export async function insertFunnelEvent({
  db,
  event,
  dedupeSeconds,
}: {
  db: Executor;
  event: { hubId: string; sessionId: string | null; inviteId: string | null; kind: string; detail: Record<string, unknown> | null };
  dedupeSeconds: number | null;
}): Promise<boolean> {
  const channelId = typeof event.detail?.channelId === "string" ? event.detail.channelId : null;
  const scope = event.sessionId
    ? sql`e.session_id = ${event.sessionId}::uuid`
    : event.inviteId
      ? sql`e.session_id is null and e.invite_id = ${event.inviteId}::uuid`
      : null;
  const window = dedupeSeconds === null ? sql`true` : sql`e.at > now() - make_interval(secs => ${dedupeSeconds})`;
  const sameChannel = channelId === null ? sql`e.detail ->> 'channelId' is null` : sql`e.detail ->> 'channelId' = ${channelId}`;
  const detail = event.detail === null ? sql`null` : sql`${JSON.stringify(event.detail)}::jsonb`;
  const guard = scope
    ? sql`where not exists (select 1 from onboarding_events e where ${scope} and e.kind = ${event.kind} and ${sameChannel} and ${window})`
    : sql``;
  const rows = await rowsOf<{ id: unknown }>(
    db,
    sql`insert into onboarding_events (hub_id, session_id, invite_id, kind, detail)
        select ${event.hubId}::uuid, ${event.sessionId}::uuid, ${event.inviteId}::uuid, ${event.kind}, ${detail} ${guard}
        returning id`,
  );
  return rows.length > 0;
}

export async function listFunnelEvents({
  db,
  sessionId,
  inviteId,
  limit = 200,
}: {
  db: Executor;
  sessionId?: string;
  inviteId?: string;
  limit?: number;
}): Promise<OnboardingEvent[]> {
  const where = sessionId ? eq(onboardingEvents.sessionId, sessionId) : inviteId ? eq(onboardingEvents.inviteId, inviteId) : undefined;
  if (!where) return [];
  return db.select().from(onboardingEvents).where(where).orderBy(asc(onboardingEvents.at), asc(onboardingEvents.id)).limit(limit);
}

export type SessionChannelRow = Pick<Channel, "id" | "externalId" | "phoneNumber" | "displayName" | "status" | "statusChangedAt" | "permission" | "restricted" | "flags" | "cancellation" | "terminatesAt"> & {
  hasActiveKey: boolean;
};

/** The channels of a session as the database holds them, in the order the redirect listed them. */
export async function listChannelsByExternalIds({ db, hubId, externalIds }: { db: Executor; hubId: string; externalIds: string[] }): Promise<SessionChannelRow[]> {
  if (externalIds.length === 0) return [];
  const rows = await db
    .select({
      id: channels.id,
      externalId: channels.externalId,
      phoneNumber: channels.phoneNumber,
      displayName: channels.displayName,
      status: channels.status,
      statusChangedAt: channels.statusChangedAt,
      permission: channels.permission,
      restricted: channels.restricted,
      flags: channels.flags,
      cancellation: channels.cancellation,
      terminatesAt: channels.terminatesAt,
      // Qualified by hand: inside a raw subquery drizzle prints a bare "id", which would bind to api_keys.
      hasActiveKey: sql<boolean>`exists (select 1 from ${apiKeys} k where k.channel_id = ${sql.raw(`"channels"."id"`)} and k.status = 'active')`,
    })
    .from(channels)
    .where(and(eq(channels.hubId, hubId), inArray(channels.externalId, externalIds)));
  const order = new Map(externalIds.map((id, i) => [id, i]));
  return rows.sort((a, b) => (order.get(a.externalId) ?? 0) - (order.get(b.externalId) ?? 0));
}

/**
 * Hands out a distinct signing second per hub across all instances: the IO Signature signs only
 * `partnerId|seconds`, so two starts in one second would carry the same signature and 360dialog refuses the
 * second use (docs/hub-contract.md §3). Kept in auth_throttle (key `io_second:<hub>`, the second in `attempts`, int4 until
 * 2038) because the schema is frozen; returns now, or the next free second after the last one issued.
 */
export async function claimIoSecond({ db, hubId, nowSeconds }: { db: Executor; hubId: string; nowSeconds: number }): Promise<number> {
  const rows = await rowsOf<{ second: number | string }>(
    db,
    sql`insert into auth_throttle (key, attempts, window_started_at) values (${`io_second:${hubId}`}, ${nowSeconds}, now())
        on conflict (key) do update set attempts = greatest(auth_throttle.attempts + 1, excluded.attempts), window_started_at = now()
        returning attempts as second`,
  );
  const second = Number(rows[0]?.second);
  if (!Number.isFinite(second)) throw new Error("claimIoSecond returned no row");
  return second;
}

/**
 * The newest unexpired session this browser started (Embedded Signup aside): a redirect without `state` belongs
 * to it. Returned even when consumed, so a second redirect hears "already completed" rather than "not found".
 */
export async function findNewestSessionForBrowser({ db, browserBindingHash }: { db: Executor; browserBindingHash: string }): Promise<OnboardingSession | undefined> {
  const [row] = await db
    .select()
    .from(onboardingSessions)
    .where(
      and(
        eq(onboardingSessions.browserBindingHash, browserBindingHash),
        gt(onboardingSessions.expiresAt, sql`now()`),
        sql`${onboardingSessions.method} <> 'embedded_signup'`,
      ),
    )
    .orderBy(desc(onboardingSessions.createdAt), desc(onboardingSessions.id))
    .limit(1);
  return row;
}

/** Whether a session other than `exceptId` already holds this 360dialog client (linked or being linked). */
export async function otherSessionHoldsClient({ db, hubId, clientExternalId, exceptId }: { db: Executor; hubId: string; clientExternalId: string; exceptId: string }): Promise<boolean> {
  const [row] = await db
    .select({ id: onboardingSessions.id })
    .from(onboardingSessions)
    .innerJoin(clients, eq(clients.id, onboardingSessions.clientId))
    .where(and(eq(clients.hubId, hubId), eq(clients.externalId, clientExternalId), sql`${onboardingSessions.id} <> ${exceptId}`, eq(onboardingSessions.status, "completed")))
    .limit(1);
  return row !== undefined;
}

/**
 * Serialises the starts of one browser for the rest of the transaction (a double click, two tabs), so the check
 * for an open session and the insert of a new one cannot interleave. A no-op on PGlite, which has one connection.
 */
export async function lockBrowserStarts({ db, browserBindingHash }: { db: Executor; browserBindingHash: string }): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`onboarding-start:${browserBindingHash}`}, 0))`);
}

/**
 * This browser's newest session for the same invite (or, with `inviteId` null, the same hub without an invite)
 * and method (any when absent) that can still be completed: not consumed, not expired, still at "started".
 */
export async function findOpenSessionOfBrowser({
  db,
  hubId,
  inviteId,
  method,
  browserBindingHash,
}: {
  db: Executor;
  hubId: string;
  inviteId: string | null;
  method?: OnboardingSession["method"];
  browserBindingHash: string;
}): Promise<OnboardingSession | undefined> {
  const [row] = await db
    .select()
    .from(onboardingSessions)
    .where(
      and(
        eq(onboardingSessions.hubId, hubId),
        inviteId === null ? isNull(onboardingSessions.inviteId) : eq(onboardingSessions.inviteId, inviteId),
        method ? eq(onboardingSessions.method, method) : undefined,
        eq(onboardingSessions.browserBindingHash, browserBindingHash),
        eq(onboardingSessions.status, "started"),
        isNull(onboardingSessions.consumedAt),
        gt(onboardingSessions.expiresAt, sql`now()`),
      ),
    )
    .orderBy(desc(onboardingSessions.createdAt), desc(onboardingSessions.id))
    .limit(1);
  return row;
}

/**
 * Gives an open session of this browser a new `state` (the old one stops working) and a new expiry; the same
 * conditions as findOpenSessionOfBrowser, so a session consumed meanwhile is left alone (undefined).
 */
export async function reissueSessionState({
  db,
  id,
  browserBindingHash,
  set,
}: {
  db: Executor;
  id: string;
  browserBindingHash: string;
  set: Pick<NewOnboardingSession, "stateHash" | "expiresAt" | "prefill">;
}): Promise<OnboardingSession | undefined> {
  const [row] = await db
    .update(onboardingSessions)
    .set({ ...set, updatedAt: sql`now()` })
    .where(
      and(
        eq(onboardingSessions.id, id),
        eq(onboardingSessions.browserBindingHash, browserBindingHash),
        eq(onboardingSessions.status, "started"),
        isNull(onboardingSessions.consumedAt),
        gt(onboardingSessions.expiresAt, sql`now()`),
      ),
    )
    .returning();
  return row;
}

/**
 * Sessions still open (started, or back from 360dialog but never confirmed) past their expiry: marked expired, at
 * most `limit` per call, oldest first; rows another instance is expiring at the same time are skipped.
 */
export async function expireOverdueSessions({ db, now, limit }: { db: Executor; now: Date; limit: number }): Promise<OnboardingSession[]> {
  const overdue = db
    .select({ id: onboardingSessions.id })
    .from(onboardingSessions)
    .where(and(inArray(onboardingSessions.status, ["started", "redirected"]), lt(onboardingSessions.expiresAt, now)))
    .orderBy(onboardingSessions.expiresAt)
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(onboardingSessions)
    .set({ status: "expired", updatedAt: sql`now()` })
    .where(inArray(onboardingSessions.id, overdue))
    .returning();
}
