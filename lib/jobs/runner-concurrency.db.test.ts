import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { openDatabase, type Database, type DatabaseHandle } from "@/db/client";
import { countJobsByStatus, sameHandlerForEveryKind } from "@/test/support/jobs";
import { insertUser } from "@/db/queries/users";
import { freshDatabase, selectRows, unavailableReason, type FreshDatabase } from "@/test/db/databases";
import { replayJob } from "./admin";
import { enqueueJob } from "./enqueue";
import { createJobRunner, type JobRunner } from "./runner";
import { postgresJobListener } from "./start";
import type { JobContext, JobHandlers } from "./types";

// Several runners on one real PostgreSQL, each with its own pool, as separate instances would be (docs/security.md R8).

const current = vi.hoisted(() => ({ db: null as Database | null }));
vi.mock("@/lib/db", () => ({
  getDb: async () => {
    if (!current.db) throw new Error("no test database");
    return current.db;
  },
}));

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const JOBS = 200;
const CONCURRENCY = 4;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(25);
  }
}

/** `round` tells runs after a replay (attempts start again at 1) from the first ones. */
type Probe = { round: number; runs: Map<string, number>; byRunner: number[]; maxInFlight: number[] };

/** Two runners on two pools; `behave` decides each run's fate. Every run is counted under `${round}:${id}:${attempt}`. */
function startRunners(pools: DatabaseHandle[], url: string, behave: (job: JobContext) => Promise<void>) {
  const probe: Probe = { round: 0, runs: new Map(), byRunner: pools.map(() => 0), maxInFlight: pools.map(() => 0) };
  const runners: JobRunner[] = pools.map((pool, index) => {
    let inFlight = 0;
    const handler = async (job: JobContext) => {
      inFlight++;
      probe.maxInFlight[index] = Math.max(probe.maxInFlight[index] ?? 0, inFlight);
      try {
        const key = `${probe.round}:${job.id}:${job.attempt}`;
        probe.runs.set(key, (probe.runs.get(key) ?? 0) + 1);
        probe.byRunner[index] = (probe.byRunner[index] ?? 0) + 1;
        await pause(Math.random() * 6);
        await behave(job);
      } finally {
        inFlight--;
      }
    };
    const handlers: JobHandlers = sameHandlerForEveryKind(handler);
    return createJobRunner({
      getDb: () => pool.db,
      handlers,
      concurrency: CONCURRENCY,
      pollMs: 50,
      leaseSeconds: 30,
      workerId: `runner-${index}`,
      log: silent,
      listen: postgresJobListener(url),
    });
  });
  return { probe, runners };
}

async function enqueueMany(db: Database, count: number): Promise<string[]> {
  return db.transaction(async (tx) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await enqueueJob(tx, { kind: "webhook.process", payload: { webhookEventId: `e${i}` } })).id);
    return ids;
  });
}

describe.skipIf(unavailableReason("postgres"))("job runners sharing one database [postgres]", () => {
  let fresh: FreshDatabase;
  let url: string;
  let pools: DatabaseHandle[] = [];
  let actor = { id: "", email: "ops@example.com" };

  beforeAll(async () => {
    fresh = await freshDatabase("postgres");
    url = fresh.url ?? "";
    pools = await Promise.all([0, 1].map(() => openDatabase({ driver: "postgres", url, poolMax: 5 })));
    current.db = fresh.handle.db;
    const user = await insertUser({ db: fresh.handle.db, user: { email: actor.email, role: "admin", passwordHash: "x" } });
    actor = { id: user.id, email: user.email };
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await fresh?.dispose();
  });
  beforeEach(async () => {
    await fresh.handle.db.execute(sql`delete from jobs`);
  });

  it("claims one unique key once when two instances enqueue it at the same moment", async () => {
    const input = { kind: "api_key.provision" as const, payload: { channelId: "c", grantId: "g" }, uniqueKey: "api_key:c:g" };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => enqueueJob(pools[i % 2]!.db, input)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect((await countJobsByStatus({ db: fresh.handle.db })).queued).toBe(1);
  });

  it(`runs each of ${JOBS} jobs exactly once with two runners of ${CONCURRENCY}`, async () => {
    const ids = await enqueueMany(fresh.handle.db, JOBS);
    const { probe, runners } = startRunners(pools, url, async () => {});
    await Promise.all(runners.map((r) => r.start()));
    try {
      await until("all jobs done", async () => (await countJobsByStatus({ db: fresh.handle.db })).done === JOBS);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
    expect([...probe.runs.values()].filter((n) => n !== 1)).toEqual([]);
    expect(new Set(probe.runs.keys())).toEqual(new Set(ids.map((id) => `0:${id}:1`)));
    expect(probe.byRunner.every((n) => n > 0)).toBe(true);
    expect(Math.max(...probe.maxInFlight)).toBeLessThanOrEqual(CONCURRENCY);
    const [row] = await selectRows<{ n: number }>(fresh.handle.db, sql`select count(*)::int as n from jobs where attempts <> 1 or status <> 'done'`);
    expect(Number(row?.n)).toBe(0);
    console.info(`[jobs] ${JOBS} jobs, 2 runners × ${CONCURRENCY}: runs per runner ${probe.byRunner.join(" / ")}, double runs 0`);
  });

  it(`buries each of ${JOBS} jobs after 8 forced failures, then a replay finishes every one (R8)`, async () => {
    const ids = await enqueueMany(fresh.handle.db, JOBS);
    let failing = true;
    const { probe, runners } = startRunners(pools, url, async (job) => {
      if (failing) throw new Error(`forced failure on attempt ${job.attempt}`);
    });
    const started = Date.now();
    await Promise.all(runners.map((r) => r.start()));
    try {
      // Fast-forward the backoff: retries fall due at once instead of after 5 s, 5 min, 30 min…
      await until("all jobs dead", async () => {
        await fresh.handle.db.execute(sql`update jobs set run_at = now() where status = 'queued' and run_at > now()`);
        return (await countJobsByStatus({ db: fresh.handle.db })).dead === JOBS;
      });
      const dead = await selectRows<{ attempts: number; last_error: string }>(fresh.handle.db, sql`select attempts, last_error from jobs`);
      expect(new Set(dead.map((d) => `${d.attempts}|${d.last_error}`))).toEqual(new Set(["8|forced failure on attempt 8"]));
      const buriedAfter = Date.now() - started;

      failing = false;
      probe.round = 1;
      for (const id of ids) await replayJob(actor, id);
      await until("all replayed jobs done", async () => (await countJobsByStatus({ db: fresh.handle.db })).done === JOBS);
      console.info(`[jobs] ${JOBS} jobs × 8 forced failures → dead in ${buriedAfter} ms; replay → done ${JOBS}/${JOBS}`);
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
    }
    // Eight failing runs and one successful run per job, none of them twice.
    expect([...probe.runs.values()].filter((n) => n !== 1)).toEqual([]);
    expect(probe.runs.size).toBe(JOBS * 9);
    expect(new Set(ids.map((id) => probe.runs.get(`1:${id}:1`)))).toEqual(new Set([1]));
    const counts = await countJobsByStatus({ db: fresh.handle.db });
    expect(counts).toEqual({ queued: 0, running: 0, done: JOBS, dead: 0 });
  });
});
