import { and, eq, sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { recordKeyStored } from "@/lib/onboarding/funnel";
import { forEachDatabase } from "@/test/db/databases";
import { rowsOf, type Executor } from "../client";
import { hubs, invites, onboardingEvents, onboardingSessions } from "../schema";
import { countFunnelTotals, readFunnel, sampleFunnelSteps } from "./funnel";

const P0 = new Date("2026-03-01T00:00:00Z");
const P1 = new Date("2026-03-08T00:00:00Z");
const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);
const H = 3600;

async function hub(db: Executor, name: string) {
  const [row] = await db
    .insert(hubs)
    .values({ name, partnerId: `${name}${Math.random().toString(36).slice(2, 8)}`, partnerApiBaseUrl: "http://127.0.0.1:1", ioBaseUrl: "http://127.0.0.1:1" })
    .returning();
  return row!.id;
}

async function invite(db: Executor, hubId: string, id: string) {
  await db.insert(invites).values({ id, hubId, tokenHash: `t-${id}` });
  return id;
}

async function session(db: Executor, s: { id: string; hubId: string; inviteId?: string; start: Date; status?: "started" | "completed"; channels?: string[] }) {
  await db.insert(onboardingSessions).values({
    id: s.id,
    hubId: s.hubId,
    inviteId: s.inviteId ?? null,
    method: "popup",
    stateHash: `state-${s.id}`,
    browserBindingHash: "b",
    status: s.status ?? "started",
    channelExternalIds: s.channels ?? [],
    expiresAt: at(s.start, H),
    createdAt: s.start,
  });
  return s;
}

async function events(db: Executor, hubId: string, rows: { sessionId?: string; inviteId?: string; kind: string; at: Date; channelId?: string }[]) {
  await db.insert(onboardingEvents).values(
    rows.map((r) => ({ hubId, sessionId: r.sessionId ?? null, inviteId: r.inviteId ?? null, kind: r.kind, at: r.at, detail: r.channelId ? { channelId: r.channelId } : null })),
  );
}

/**
 * Hub A, period [P0, P1): six sessions started (S1 S2 S4 from invite links), one started before P0 and one in
 * hub B; S2's redirect recorded twice, S1's running twice (two numbers), S3 is Embedded Signup, S5 skips to
 * "number created", S8's number runs after the period ended. Expected figures are worked out per step below.
 */
async function buildWorld(db: Executor) {
  const a = await hub(db, "A");
  const b = await hub(db, "B");
  const [i1, i2, i3, i4] = await Promise.all(["11", "12", "13", "14"].map((n) => invite(db, a, `000000${n}-0000-4000-8000-000000000000`)));
  const ib = await invite(db, b, "000000b1-0000-4000-8000-000000000000");

  const s1 = await session(db, { id: "10000000-0000-4000-8000-000000000001", hubId: a, inviteId: i1, start: at(P0, 1 * H) });
  const s2 = await session(db, { id: "20000000-0000-4000-8000-000000000002", hubId: a, inviteId: i2, start: at(P0, 2 * H) });
  const s3 = await session(db, { id: "30000000-0000-4000-8000-000000000003", hubId: a, start: at(P0, 3 * H) });
  const s4 = await session(db, { id: "90000000-0000-4000-8000-000000000004", hubId: a, inviteId: i3, start: at(P0, 4 * H) });
  const s5 = await session(db, { id: "a0000000-0000-4000-8000-000000000005", hubId: a, start: at(P0, 5 * H) });
  const s8 = await session(db, { id: "b0000000-0000-4000-8000-000000000008", hubId: a, start: at(P0, 7 * H) });
  const s6 = await session(db, { id: "c0000000-0000-4000-8000-000000000006", hubId: a, inviteId: i1, start: at(P0, -1 * H) });
  const s7 = await session(db, { id: "d0000000-0000-4000-8000-000000000007", hubId: b, inviteId: ib, start: at(P0, 6 * H) });

  await events(db, a, [
    // Link opens: in the period I1 (5 min before S1), I2, I3, I4 (no session); outside it an older I1 open and one after P1.
    { inviteId: i1, kind: "link_opened", at: at(s1.start, -2 * 86400) },
    { inviteId: i1, kind: "link_opened", at: at(s1.start, -300) },
    { inviteId: i2, kind: "link_opened", at: at(s2.start, -60) },
    { inviteId: i3, kind: "link_opened", at: at(s4.start, -180) },
    { inviteId: i4, kind: "link_opened", at: at(P0, 6 * H) },
    { inviteId: i4, kind: "link_opened", at: at(P1, H) },
    // S1: back +120 s, client +130, created +150, running +1 h (and +2 h for its second number), key +1 h 60 s.
    { sessionId: s1.id, inviteId: i1, kind: "popup_opened", at: s1.start },
    { sessionId: s1.id, inviteId: i1, kind: "redirect_received", at: at(s1.start, 120) },
    { sessionId: s1.id, inviteId: i1, kind: "client_confirmed", at: at(s1.start, 130) },
    { sessionId: s1.id, inviteId: i1, kind: "channel_created", at: at(s1.start, 150), channelId: "c1" },
    { sessionId: s1.id, inviteId: i1, kind: "channel_running", at: at(s1.start, 3600), channelId: "c1" },
    { sessionId: s1.id, inviteId: i1, kind: "channel_running", at: at(s1.start, 7200), channelId: "c1b" },
    { sessionId: s1.id, inviteId: i1, kind: "key_stored", at: at(s1.start, 3660), channelId: "c1" },
    // S2: redirect twice (+240, +600: the first counts), client +260, created +300.
    { sessionId: s2.id, inviteId: i2, kind: "popup_opened", at: s2.start },
    { sessionId: s2.id, inviteId: i2, kind: "redirect_received", at: at(s2.start, 600) },
    { sessionId: s2.id, inviteId: i2, kind: "redirect_received", at: at(s2.start, 240) },
    { sessionId: s2.id, inviteId: i2, kind: "client_confirmed", at: at(s2.start, 260) },
    { sessionId: s2.id, inviteId: i2, kind: "channel_created", at: at(s2.start, 300), channelId: "c2" },
    // S3 (Embedded Signup): finished +360, client +400; a landing view is no step.
    { sessionId: s3.id, kind: "session_started", at: s3.start },
    { sessionId: s3.id, kind: "landing_viewed", at: at(s3.start, 10) },
    { sessionId: s3.id, kind: "es_finish", at: at(s3.start, 360) },
    { sessionId: s3.id, kind: "client_confirmed", at: at(s3.start, 400) },
    // S4 stops at the popup; S5 skips to "number created".
    { sessionId: s4.id, inviteId: i3, kind: "popup_opened", at: s4.start },
    { sessionId: s5.id, kind: "popup_opened", at: s5.start },
    { sessionId: s5.id, kind: "channel_created", at: at(s5.start, 600), channelId: "c5" },
    // S8: back +180, client +190, created +190, running two days after the period ended.
    { sessionId: s8.id, kind: "popup_opened", at: s8.start },
    { sessionId: s8.id, kind: "redirect_received", at: at(s8.start, 180) },
    { sessionId: s8.id, kind: "client_confirmed", at: at(s8.start, 190) },
    { sessionId: s8.id, kind: "channel_created", at: at(s8.start, 190), channelId: "c8" },
    { sessionId: s8.id, kind: "channel_running", at: at(P1, 2 * 86400), channelId: "c8" },
    // S6 started before the period: every step, none counted.
    { sessionId: s6.id, inviteId: i1, kind: "popup_opened", at: s6.start },
    { sessionId: s6.id, inviteId: i1, kind: "redirect_received", at: at(s6.start, 60) },
    { sessionId: s6.id, inviteId: i1, kind: "client_confirmed", at: at(s6.start, 70) },
  ]);
  await events(db, b, [
    { inviteId: ib, kind: "link_opened", at: at(s7.start, -30) },
    { sessionId: s7.id, inviteId: ib, kind: "popup_opened", at: s7.start },
    { sessionId: s7.id, inviteId: ib, kind: "redirect_received", at: at(s7.start, 60) },
  ]);
  return { a, b, s1, s8 };
}

forEachDatabase("onboarding funnel queries", (ctx) => {
  let built: ReturnType<typeof buildWorld> | null = null;
  const world = () => (built ??= buildWorld(ctx.get().db));

  it("counts the cohort and each step once per session, with exact medians from the step before", async () => {
    const { db } = ctx.get();
    const { a, b } = await world();
    const scope = { db, hubIds: [a], from: P0, to: P1 };

    expect(await countFunnelTotals(scope)).toEqual({ started: 6, linkOpened: 4 });
    const steps = await sampleFunnelSteps({ ...scope, buckets: null });
    expect(steps).toEqual({
      sessions: 6,
      fromInvite: 3,
      returned: 4,
      clientConfirmed: 4,
      channelCreated: 4,
      channelRunning: 2,
      keyStored: 1,
      medianSeconds: {
        started: 180, // opens 300, 60, 180 s before S1, S2, S4 (S1's older open is not the latest)
        returned: 210, // 120, 240, 360, 180
        clientConfirmed: 15, // 10, 20, 40, 10
        channelCreated: 20, // 20, 40, 0 (S5 has no client step)
        channelRunning: (3450 + (9 * 86400 - 7 * 3600 - 190)) / 2, // S1 and S8 (after the period)
        keyStored: 60,
      },
    });

    // Both hubs: hub B adds its session (back after 60 s) and its link open.
    expect(await countFunnelTotals({ ...scope, hubIds: [a, b] })).toEqual({ started: 7, linkOpened: 5 });
    const both = await sampleFunnelSteps({ ...scope, hubIds: [a, b], buckets: null });
    expect([both.sessions, both.fromInvite, both.returned, both.clientConfirmed]).toEqual([7, 4, 5, 4]);
    expect(both.medianSeconds.returned).toBe(180);
    expect(both.medianSeconds.started).toBe(120); // 300, 60, 180 and hub B's 30
  });

  it("samples by the first byte of the session id, and returns zeros for an empty period or no hub", async () => {
    const { db } = ctx.get();
    const { a } = await world();
    // 64 of 256 first-byte values: the sessions whose ids start below 0x40.
    const sample = await sampleFunnelSteps({ db, hubIds: [a], from: P0, to: P1, buckets: 64 });
    expect([sample.sessions, sample.fromInvite, sample.returned, sample.clientConfirmed, sample.channelCreated, sample.channelRunning, sample.keyStored]).toEqual([3, 2, 3, 3, 2, 1, 1]);
    expect(sample.medianSeconds.returned).toBe(240);

    const later = { db, hubIds: [a], from: at(P1, 86400 * 30), to: at(P1, 86400 * 31) };
    expect(await countFunnelTotals(later)).toEqual({ started: 0, linkOpened: 0 });
    const none = await sampleFunnelSteps({ ...later, buckets: null });
    expect(none.sessions).toBe(0);
    expect(none.medianSeconds.returned).toBeNull();
    expect(await countFunnelTotals({ ...later, hubIds: [] })).toEqual({ started: 0, linkOpened: 0 });
  });

  it("reads totals, then the steps, sampling as the caller decides from the total", async () => {
    const { db } = ctx.get();
    const { a } = await world();
    const scope = { db, hubIds: [a], from: P0, to: P1 };
    const seen: number[] = [];
    const whole = await readFunnel(scope, (started) => (seen.push(started), null));
    expect(seen).toEqual([6]);
    expect(whole).toEqual({ started: 6, linkOpened: 4, steps: await sampleFunnelSteps({ ...scope, buckets: null }) });
    const sampled = await readFunnel(scope, (started) => (started > 5 ? 64 : null));
    expect([sampled.started, sampled.linkOpened, sampled.steps.sessions]).toEqual([6, 4, 3]);
  });

  it("reads the sample from the covering index of drizzle/0015, and without JIT on PostgreSQL", async () => {
    const { db, driver } = ctx.get();
    const [index] = await rowsOf<{ def: string }>(db, sql`select indexdef as def from pg_indexes where indexname = 'onboarding_sessions_sample_idx'`);
    expect(index?.def).toContain("get_byte(uuid_send(id), 0)");
    expect(index?.def).toMatch(/INCLUDE \(id, invite_id, first_returned_at, first_client_confirmed_at, first_channel_created_at, first_channel_running_at, first_key_stored_at\)/);
    if (driver === "postgres") {
      const [jit] = await rowsOf<{ jit: string }>(db, sql`select current_setting('jit') as jit`);
      expect(jit?.jit).toBe("off");
    }
  });

  it("records key_stored once per completed session and number, never for other sessions", async () => {
    const { db } = ctx.get();
    const a = await hub(db, "K");
    const done = await session(db, { id: "e0000000-0000-4000-8000-000000000001", hubId: a, start: P0, status: "completed", channels: ["kCH", "k2CH"] });
    const open = await session(db, { id: "e0000000-0000-4000-8000-000000000002", hubId: a, start: P0, status: "started", channels: ["kCH"] });
    await recordKeyStored(db, { hubId: a, channelExternalId: "kCH" });
    await recordKeyStored(db, { hubId: a, channelExternalId: "kCH" });
    await recordKeyStored(db, { hubId: a, channelExternalId: "k2CH" });
    const rows = await db.select().from(onboardingEvents).where(and(eq(onboardingEvents.hubId, a), eq(onboardingEvents.kind, "key_stored")));
    expect(rows.map((r) => [r.sessionId, r.detail?.channelId]).sort()).toEqual([
      [done.id, "k2CH"],
      [done.id, "kCH"],
    ]);
    expect(rows.some((r) => r.sessionId === open.id)).toBe(false);
  });

  it("keeps each session's first step times in the statement that inserts, changes or deletes its events", async () => {
    const { db } = ctx.get();
    const h = await hub(db, "F");
    const s = await session(db, { id: "f0000000-0000-4000-8000-000000000001", hubId: h, start: P0 });
    const other = await session(db, { id: "f0000000-0000-4000-8000-000000000002", hubId: h, start: P0 });
    const firsts = async (id: string) => {
      const [row] = await db
        .select({
          returned: onboardingSessions.firstReturnedAt,
          confirmed: onboardingSessions.firstClientConfirmedAt,
          created: onboardingSessions.firstChannelCreatedAt,
          running: onboardingSessions.firstChannelRunningAt,
          key: onboardingSessions.firstKeyStoredAt,
        })
        .from(onboardingSessions)
        .where(eq(onboardingSessions.id, id));
      return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, v ? (v.getTime() - P0.getTime()) / 1000 : null]));
    };
    // One statement with two returns (es_finish first), a later one, and kinds that are no step.
    await events(db, h, [
      { sessionId: s.id, kind: "redirect_received", at: at(P0, 300) },
      { sessionId: s.id, kind: "es_finish", at: at(P0, 200) },
      { sessionId: s.id, kind: "popup_opened", at: at(P0, 10) },
      { sessionId: other.id, kind: "channel_running", at: at(P0, 50) },
    ]);
    expect(await firsts(s.id)).toEqual({ returned: 200, confirmed: null, created: null, running: null, key: null });
    // A later event of a step already reached changes nothing; an earlier one (a late-arriving record) moves it.
    await events(db, h, [{ sessionId: s.id, kind: "redirect_received", at: at(P0, 400) }]);
    await events(db, h, [{ sessionId: s.id, kind: "client_confirmed", at: at(P0, 500) }, { sessionId: s.id, kind: "channel_created", at: at(P0, 600) }]);
    await events(db, h, [{ sessionId: s.id, kind: "redirect_received", at: at(P0, 100) }]);
    expect(await firsts(s.id)).toEqual({ returned: 100, confirmed: 500, created: 600, running: null, key: null });
    // Deleting the earliest return falls back to the next one; moving an event to another session recomputes both.
    await db.delete(onboardingEvents).where(and(eq(onboardingEvents.sessionId, s.id), eq(onboardingEvents.kind, "redirect_received"), eq(onboardingEvents.at, at(P0, 100))));
    expect((await firsts(s.id)).returned).toBe(200);
    await db.update(onboardingEvents).set({ sessionId: s.id }).where(eq(onboardingEvents.sessionId, other.id));
    expect(await firsts(s.id)).toEqual({ returned: 200, confirmed: 500, created: 600, running: 50, key: null });
    expect(await firsts(other.id)).toEqual({ returned: null, confirmed: null, created: null, running: null, key: null });
    await db.delete(onboardingEvents).where(eq(onboardingEvents.sessionId, s.id));
    expect(await firsts(s.id)).toEqual({ returned: null, confirmed: null, created: null, running: null, key: null });
  });
});
