import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import type { Database } from "./client";
import { countFunnelTotals } from "./queries/funnel";
import { insertHub } from "./queries/hubs";
import { hubs, invites, onboardingEvents, onboardingSessions } from "./schema";

// The daily rollup of drizzle/0006-0007 against the truth, and the funnel totals that read it.

const DAY = 86_400_000;
const D0 = Date.parse("2026-04-01T00:00:00Z");
const at = (days: number) => new Date(D0 + Math.round(days * DAY));

forEachDatabase("onboarding daily counts kept by triggers", (ctx) => {
  let db: Database;
  const newHub = async () => {
    const id = randomUUID();
    await insertHub({ db, hub: { id, name: `Hub ${id.slice(0, 4)}`, partnerId: `p${id.slice(0, 8)}`, partnerApiBaseUrl: "http://127.0.0.1:9", ioBaseUrl: "http://127.0.0.1:9" } });
    return id;
  };
  const sessions = (hubId: string, starts: Date[]) =>
    db
      .insert(onboardingSessions)
      .values(starts.map((createdAt) => ({ hubId, method: "popup" as const, stateHash: randomUUID(), browserBindingHash: "b", expiresAt: createdAt, createdAt })))
      .returning();
  const opens = (hubId: string, inviteId: string, times: Date[], kind = "link_opened") =>
    db.insert(onboardingEvents).values(times.map((t) => ({ hubId, inviteId, kind, at: t }))).returning();
  const truth = (hubIds: string[]) =>
    selectRows<{ day: string; kind: string; n: number }>(
      db,
      sql`select to_char(day, 'YYYY-MM-DD') as day, kind, n::int as n from (
            select hub_id, (created_at at time zone 'UTC')::date as day, 'session_created' as kind, count(*) as n from onboarding_sessions group by 1, 2
            union all select hub_id, (at at time zone 'UTC')::date, 'link_opened', count(*) from onboarding_events where kind = 'link_opened' group by 1, 2
          ) t where hub_id in (${sql.join(hubIds.map((h) => sql`${h}::uuid`), sql`, `)}) order by 1, 2`,
    );
  const rollup = (hubIds: string[]) =>
    selectRows<{ day: string; kind: string; n: number }>(
      db,
      sql`select to_char(day, 'YYYY-MM-DD') as day, kind, sum(n)::int as n from onboarding_daily_counts
          where hub_id in (${sql.join(hubIds.map((h) => sql`${h}::uuid`), sql`, `)}) group by 1, 2 having sum(n) <> 0 order by 1, 2`,
    );
  const direct = async (hubIds: string[], from: Date, to: Date) => {
    const list = sql.join(hubIds.map((h) => sql`${h}::uuid`), sql`, `);
    const [row] = await selectRows<{ started: number; opened: number }>(
      db,
      sql`select (select count(*)::int from onboarding_sessions where hub_id in (${list}) and created_at >= ${from.toISOString()}::timestamptz and created_at < ${to.toISOString()}::timestamptz) as started,
        (select count(*)::int from onboarding_events where hub_id in (${list}) and kind = 'link_opened' and at >= ${from.toISOString()}::timestamptz and at < ${to.toISOString()}::timestamptz) as opened`,
    );
    return { started: Number(row!.started), opened: Number(row!.opened) };
  };
  const totals = async (hubIds: string[], from: Date, to: Date) => {
    const { started, linkOpened } = await countFunnelTotals({ db, hubIds, from, to });
    return { started, opened: linkOpened };
  };

  beforeAll(() => {
    db = ctx.get().db;
  });

  it("counts inserts, day moves, deletes and cascades per hub, UTC day and kind", async () => {
    const [a, b] = [await newHub(), await newHub()];
    const [ia] = await db.insert(invites).values({ hubId: a, tokenHash: randomUUID() }).returning();
    const [ib] = await db.insert(invites).values({ hubId: b, tokenHash: randomUUID() }).returning();
    const made = await sessions(a, [at(0.1), at(0.9), at(0.99999), at(1), at(2.5)]);
    await sessions(b, [at(0.5)]);
    await opens(a, ia!.id, [at(0.2), at(1.2), at(1.3)]);
    await opens(a, ia!.id, [at(0.2)], "popup_opened");
    await opens(b, ib!.id, [at(3)]);
    // Statements inside one transaction see each other's counts.
    await db.transaction(async (tx) => {
      await tx.update(onboardingSessions).set({ createdAt: at(4) }).where(eq(onboardingSessions.id, made[0]!.id));
      await tx.update(onboardingSessions).set({ status: "expired" }).where(eq(onboardingSessions.hubId, a));
    });
    await db.update(onboardingEvents).set({ kind: "link_opened" }).where(sql`${onboardingEvents.hubId} = ${a} and ${onboardingEvents.kind} = 'popup_opened'`);
    await db.update(onboardingEvents).set({ at: at(5) }).where(sql`${onboardingEvents.hubId} = ${a} and ${onboardingEvents.at} = ${at(1.3).toISOString()}::timestamptz`);
    await db.delete(onboardingSessions).where(eq(onboardingSessions.id, made[4]!.id));

    expect(await rollup([a])).toEqual(await truth([a]));
    expect(await rollup([a])).toEqual([
      { day: "2026-04-01", kind: "link_opened", n: 2 },
      { day: "2026-04-01", kind: "session_created", n: 2 },
      { day: "2026-04-02", kind: "link_opened", n: 1 },
      { day: "2026-04-02", kind: "session_created", n: 1 },
      { day: "2026-04-05", kind: "session_created", n: 1 },
      { day: "2026-04-06", kind: "link_opened", n: 1 },
    ]);
    // An invite's cascade takes its opens; a hub's cascade takes everything, the other hub keeps its counts.
    await db.delete(invites).where(eq(invites.id, ia!.id));
    expect(await rollup([a])).toEqual(await truth([a]));
    expect((await rollup([a])).some((r) => r.kind === "link_opened")).toBe(false);
    await db.delete(hubs).where(eq(hubs.id, a));
    const [left] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from onboarding_daily_counts where hub_id = ${a}`);
    expect(Number(left!.n)).toBe(0);
    expect(await rollup([b])).toEqual(await truth([b]));
    expect(await rollup([b])).toEqual([
      { day: "2026-04-01", kind: "session_created", n: 1 },
      { day: "2026-04-04", kind: "link_opened", n: 1 },
    ]);
  });

  it("gives the funnel totals of a direct count for periods with partial days, whole days and within one day", async () => {
    const [a, b] = [await newHub(), await newHub()];
    const [ia] = await db.insert(invites).values({ hubId: a, tokenHash: randomUUID() }).returning();
    const [ib] = await db.insert(invites).values({ hubId: b, tokenHash: randomUUID() }).returning();
    // Times spread over ten days, some exactly on midnight and on the period edges below.
    const spread = (k: number, step: number) => Array.from({ length: k }, (_, i) => at(((i * step) % 1000) / 100));
    await sessions(a, [...spread(120, 37), at(3), at(7), at(2.25)]);
    await sessions(b, spread(40, 53));
    await opens(a, ia!.id, [...spread(80, 71), at(3), at(2.25)]);
    await opens(b, ib!.id, spread(30, 29));
    const periods: [number, number][] = [
      [0, 10], [2.25, 7], [2.25, 7.5], [0.3, 9.7], [3, 3.5], [2.9, 3.1], [2.5, 2.75], [3, 4], [-5, 20], [6.99, 7], [4, 4],
    ];
    for (const hubIds of [[a], [b], [a, b]]) {
      for (const [from, to] of periods) {
        expect({ from, to, ...(await totals(hubIds, at(from), at(to))) }).toEqual({ from, to, ...(await direct(hubIds, at(from), at(to))) });
      }
    }
    expect(await totals([a], at(0), at(10))).toEqual({ started: 123, opened: 82 });

    // The whole days really come from the rollup: an extra count on 2026-04-05 shows only in periods that hold that whole day.
    await db.execute(sql`update onboarding_daily_counts set n = n + 1000 where hub_id = ${a} and day = '2026-04-05'`);
    const base = await direct([a], at(2.25), at(7.5));
    expect(await totals([a], at(2.25), at(7.5))).toEqual({ started: base.started + 1000, opened: base.opened + 1000 });
    expect(await totals([a], at(4.5), at(5.5))).toEqual(await direct([a], at(4.5), at(5.5)));
    expect(await totals([a, b], at(0), at(10))).toEqual({ started: 163 + 1000, opened: 112 + 1000 });
  });
});
