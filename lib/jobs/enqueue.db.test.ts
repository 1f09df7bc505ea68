import { sql } from "drizzle-orm";
import { sameHandlerForEveryKind } from "@/test/support/jobs";
import { beforeEach, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { insertHub } from "@/db/queries/hubs";
import { findJobById } from "@/db/queries/jobs";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import { enqueueJob, enqueueReconcileJobs, reconcileWindowStart } from "./enqueue";
import { createJobRunner } from "./runner";
import { pgliteJobListener, postgresJobListener } from "./start";
import type { JobContext, JobHandlers } from "./types";

async function jobCount(db: Database): Promise<number> {
  const [row] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from jobs`);
  return Number(row?.n);
}

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

forEachDatabase("enqueueing jobs", (ctx) => {
  beforeEach(async () => {
    const { db } = ctx.get();
    await db.execute(sql`delete from jobs`);
    await db.execute(sql`delete from hubs`);
  });

  it("stores a job with its defaults", async () => {
    const { db } = ctx.get();
    const runAt = new Date(Date.now() + 60_000);
    const { id, created } = await enqueueJob(db, { kind: "api_key.provision", payload: { channelId: "c1", grantId: "g1" }, runAt, maxAttempts: 3 });
    expect(created).toBe(true);
    expect(await findJobById({ db, id })).toMatchObject({
      kind: "api_key.provision",
      payload: { channelId: "c1", grantId: "g1" },
      status: "queued",
      attempts: 0,
      maxAttempts: 3,
      runAt,
      uniqueKey: null,
    });
  });

  it("adds work with a taken unique key once, returning the first job's id", async () => {
    const { db } = ctx.get();
    const input = { kind: "api_key.provision" as const, payload: { channelId: "c1", grantId: "g1" }, uniqueKey: "api_key:c1:g1" };
    const first = await enqueueJob(db, input);
    const second = await enqueueJob(db, { ...input, payload: { channelId: "c1", grantId: "other" } });
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    expect(await jobCount(db)).toBe(1);
    expect((await findJobById({ db, id: first.id }))?.payload).toEqual({ channelId: "c1", grantId: "g1" });
    // Jobs without a key never collide.
    await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "a" } });
    await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "a" } });
    expect(await jobCount(db)).toBe(3);
  });

  it("commits a job only with its caller's transaction (transactional outbox)", async () => {
    const { db } = ctx.get();
    const input = { kind: "webhook.process" as const, payload: { webhookEventId: "w1" }, uniqueKey: "webhook:w1" };
    await expect(
      db.transaction(async (tx) => {
        const inside = await enqueueJob(tx, input);
        expect(inside.created).toBe(true);
        expect(await enqueueJob(tx, input)).toEqual({ id: inside.id, created: false });
        throw new Error("the change that caused it failed");
      }),
    ).rejects.toThrow("the change that caused it failed");
    expect(await jobCount(db)).toBe(0);
    expect((await enqueueJob(db, input)).created).toBe(true);
    expect(await jobCount(db)).toBe(1);
  });

  it("notifies listeners at commit, and not for a rolled-back or duplicate job", async () => {
    const { db } = ctx.get();
    const url = ctx.url();
    const listen = url ? postgresJobListener(url) : pgliteJobListener(ctx.get());
    if (!listen) throw new Error("no LISTEN path on this engine");
    let heard = 0;
    const unlisten = await listen(() => heard++);
    heard = 0; // postgres.js also wakes us once on (re)listening, so nothing is missed across a reconnect
    try {
      await db.transaction(async (tx) => {
        await enqueueJob(tx, { kind: "webhook.process", payload: { webhookEventId: "n1" }, uniqueKey: "n1" });
        await pause(150);
        expect(heard).toBe(0);
      });
      for (let i = 0; i < 100 && heard === 0; i++) await pause(20);
      expect(heard).toBe(1);
      await db
        .transaction(async (tx) => {
          await enqueueJob(tx, { kind: "webhook.process", payload: { webhookEventId: "n2" } });
          throw new Error("rollback");
        })
        .catch(() => {});
      await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "n1" }, uniqueKey: "n1" });
      await pause(300);
      expect(heard).toBe(1);
    } finally {
      await unlisten();
    }
  });

  it("queues one reconcile per hub and window, however often it is asked", async () => {
    const { db } = ctx.get();
    const base = { partnerApiBaseUrl: "http://127.0.0.1:1/api", ioBaseUrl: "http://127.0.0.1:1/io" };
    const a = await insertHub({ db, hub: { ...base, name: "A", partnerId: "pa" } });
    const b = await insertHub({ db, hub: { ...base, name: "B", partnerId: "pb" } });
    const now = new Date("2030-01-01T10:07:30Z");
    expect(reconcileWindowStart(now, 15).toISOString()).toBe("2030-01-01T10:00:00.000Z");
    expect(await enqueueReconcileJobs({ db, now, intervalMinutes: 15 })).toBe(2);
    expect(await enqueueReconcileJobs({ db, now: new Date("2030-01-01T10:14:59Z"), intervalMinutes: 15 })).toBe(0);
    expect(await enqueueReconcileJobs({ db, now: new Date("2030-01-01T10:15:00Z"), intervalMinutes: 15 })).toBe(2);
    const rows = await selectRows<{ unique_key: string; payload: { hubId: string } }>(
      db,
      sql`select unique_key, payload from jobs order by unique_key`,
    );
    expect(rows.map((r) => r.unique_key).sort()).toEqual(
      [
        `hub.reconcile:${a.id}:2030-01-01T10:00:00.000Z`,
        `hub.reconcile:${a.id}:2030-01-01T10:15:00.000Z`,
        `hub.reconcile:${b.id}:2030-01-01T10:00:00.000Z`,
        `hub.reconcile:${b.id}:2030-01-01T10:15:00.000Z`,
      ].sort(),
    );
    expect(new Set(rows.map((r) => r.payload.hubId))).toEqual(new Set([a.id, b.id]));
  });

  it("has two runners started together reconcile each hub once for the window", async () => {
    const { db } = ctx.get();
    const base = { partnerApiBaseUrl: "http://127.0.0.1:1/api", ioBaseUrl: "http://127.0.0.1:1/io" };
    const hub = await insertHub({ db, hub: { ...base, name: "A", partnerId: "pa" } });
    const seen: JobContext[] = [];
    const handler = async (job: JobContext) => void seen.push(job);
    const handlers: JobHandlers = sameHandlerForEveryKind(handler);
    const runners = ["r1", "r2"].map((workerId) =>
      createJobRunner({ getDb: () => db, handlers, concurrency: 2, pollMs: 50, leaseSeconds: 30, workerId, log: silent, reconcileIntervalMinutes: 60 }),
    );
    await Promise.all(runners.map((r) => r.start()));
    try {
      for (let i = 0; i < 100 && seen.length === 0; i++) await pause(20);
      await pause(200);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
    expect(seen.map((j) => [j.kind, j.payload])).toEqual([["hub.reconcile", { hubId: hub.id }]]);
  });
});
