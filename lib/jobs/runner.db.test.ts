import { sql } from "drizzle-orm";
import { sameHandlerForEveryKind } from "@/test/support/jobs";
import { beforeEach, expect, it } from "vitest";
import type { Database } from "@/db/client";
import { claimJobs, findJobById, insertJob, markJobDone, markJobFailed } from "@/db/queries/jobs";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import { AppError } from "../errors";
import { enqueueJob } from "./enqueue";
import { createJobRunner, type JobLog, type JobRunnerOptions } from "./runner";
import type { JobContext, JobHandlers } from "./types";

type Line = { level: string; fields: Record<string, unknown>; message: string };

function memoryLog(): { log: JobLog; lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

/** Every kind answered; `seen` records each run. */
function handlersFor(run: (job: JobContext) => Promise<void>, seen: JobContext[] = []): JobHandlers {
  const handler = async (job: JobContext) => {
    seen.push(job);
    await run(job);
  };
  return sameHandlerForEveryKind(handler);
}

function runnerOn(db: Database, handlers: JobHandlers, extra: Partial<JobRunnerOptions> = {}) {
  const { log, lines } = memoryLog();
  const runner = createJobRunner({ getDb: () => db, handlers, concurrency: 4, pollMs: 60_000, leaseSeconds: 30, log, ...extra });
  return { runner, lines };
}

/** Seconds from the database's now() to the job's run_at. */
async function secondsUntilRun(db: Database, id: string): Promise<number> {
  const [row] = await selectRows<{ s: number }>(db, sql`select extract(epoch from run_at - now())::float8 as s from jobs where id = ${id}`);
  return Number(row?.s);
}

async function makeDue(db: Database): Promise<void> {
  await db.execute(sql`update jobs set run_at = now() where status = 'queued'`);
}

forEachDatabase("job runner", (ctx) => {
  beforeEach(async () => {
    await ctx.get().db.execute(sql`delete from jobs`);
  });

  it("claims, runs and finishes a job, handing the handler its context", async () => {
    const { db } = ctx.get();
    const seen: JobContext[] = [];
    const { runner, lines } = runnerOn(db, handlersFor(async () => {}, seen), { workerId: "w1" });
    const { id } = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "e1" } });
    expect(await runner.runOnce()).toBe(1);
    expect(seen).toEqual([{ id, kind: "webhook.process", payload: { webhookEventId: "e1" }, attempt: 1, maxAttempts: 8 }]);
    const job = await findJobById({ db, id });
    expect(job).toMatchObject({ status: "done", attempts: 1, lockedBy: "w1", lockedUntil: null, lastError: null });
    expect(job?.finishedAt).toBeInstanceOf(Date);
    expect(lines.filter((l) => l.message === "job done")).toHaveLength(1);
    expect(await runner.runOnce()).toBe(0);
  });

  it("leaves jobs that are not due yet", async () => {
    const { db } = ctx.get();
    const seen: JobContext[] = [];
    const { runner } = runnerOn(db, handlersFor(async () => {}, seen));
    await enqueueJob(db, { kind: "hub.reconcile", payload: { hubId: "h" }, runAt: new Date(Date.now() + 60_000) });
    expect(await runner.runOnce()).toBe(0);
    expect(seen).toHaveLength(0);
  });

  it("retries a failing job later and later, then buries it with the last error", async () => {
    const { db } = ctx.get();
    let calls = 0;
    const { runner, lines } = runnerOn(
      db,
      handlersFor(async () => {
        calls++;
        if (calls === 1) throw new Error("upstream said no");
        if (calls === 2) throw new AppError("upstream:hub", "The hub is unreachable.", { cause: new Error("token=abc") });
        throw new Error("x".repeat(5_000));
      }),
    );
    const { id } = await enqueueJob(db, { kind: "api_key.provision", payload: { channelId: "c", grantId: "g" }, maxAttempts: 3 });

    expect(await runner.runOnce()).toBe(1);
    let job = await findJobById({ db, id });
    expect(job).toMatchObject({ status: "queued", attempts: 1, lastError: "upstream said no", lockedUntil: null });
    const first = await secondsUntilRun(db, id);
    expect(first).toBeGreaterThan(3.5);
    expect(first).toBeLessThan(6.5);
    expect(await runner.runOnce()).toBe(0); // not due yet

    await makeDue(db);
    expect(await runner.runOnce()).toBe(1);
    job = await findJobById({ db, id });
    expect(job).toMatchObject({ status: "queued", attempts: 2, lastError: "upstream:hub: The hub is unreachable." });
    const second = await secondsUntilRun(db, id);
    expect(second).toBeGreaterThan(4 * 60 - 1);
    expect(second).toBeLessThan(6 * 60 + 1);

    await makeDue(db);
    expect(await runner.runOnce()).toBe(1);
    job = await findJobById({ db, id });
    expect(job).toMatchObject({ status: "dead", attempts: 3 });
    expect(job?.lastError).toHaveLength(1_000);
    expect(job?.finishedAt).toBeInstanceOf(Date);
    await makeDue(db);
    expect(await runner.runOnce()).toBe(0);
    expect(calls).toBe(3);
    expect(lines.map((l) => l.message)).toEqual(["job failed; will retry", "job failed; will retry", "job is dead"]);
    expect(JSON.stringify(lines)).not.toContain("token=abc");
  });

  it("buries a job of an unknown kind at once with a clear error", async () => {
    const { db } = ctx.get();
    const { runner } = runnerOn(db, handlersFor(async () => {}));
    const { id } = await insertJob({ db, job: { kind: "nope.unknown", payload: {} } });
    const { id: proto } = await insertJob({ db, job: { kind: "toString", payload: {} } });
    expect(await runner.runOnce()).toBe(2);
    expect(await findJobById({ db, id })).toMatchObject({ status: "dead", attempts: 1, lastError: 'no handler for job kind "nope.unknown"' });
    expect(await findJobById({ db, id: proto })).toMatchObject({ status: "dead", lastError: 'no handler for job kind "toString"' });
  });

  it("re-runs a job whose worker crashed once its lease ran out, and ignores the stale worker's late finish", async () => {
    const { db } = ctx.get();
    const seen: JobContext[] = [];
    const { id } = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "crash" } });
    const [crashed] = await claimJobs({ db, workerId: "crashed", limit: 10, leaseSeconds: 30 });
    expect(crashed?.id).toBe(id);

    const { runner } = runnerOn(db, handlersFor(async () => {}, seen), { workerId: "healthy" });
    expect(await runner.runOnce()).toBe(0); // the lease still holds
    await db.execute(sql`update jobs set locked_until = now() - interval '1 second' where id = ${id}`);
    expect(await runner.runOnce()).toBe(1);
    expect(seen.map((j) => j.attempt)).toEqual([2]);
    expect(await findJobById({ db, id })).toMatchObject({ status: "done", lockedBy: "healthy", attempts: 2 });

    const stale = { id, workerId: "crashed", attempt: 1 };
    expect(await markJobDone({ db, claim: stale })).toBe(false);
    expect(await markJobFailed({ db, claim: stale, error: "late", retryInMs: 5_000 })).toBe(false);
    expect(await findJobById({ db, id })).toMatchObject({ status: "done", lockedBy: "healthy", attempts: 2, lastError: null });
  });

  it("keeps a stale worker from finishing a job that another worker is running now", async () => {
    const { db } = ctx.get();
    const { id } = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "overlap" } });
    await claimJobs({ db, workerId: "stale", limit: 1, leaseSeconds: 30 });
    await db.execute(sql`update jobs set locked_until = now() - interval '1 second' where id = ${id}`);
    const [taken] = await claimJobs({ db, workerId: "current", limit: 1, leaseSeconds: 30 });
    expect(taken).toMatchObject({ id, lockedBy: "current", attempts: 2 });
    const stale = { id, workerId: "stale", attempt: 1 };
    expect(await markJobDone({ db, claim: stale })).toBe(false);
    expect(await markJobFailed({ db, claim: stale, error: "late", retryInMs: null })).toBe(false);
    expect(await findJobById({ db, id })).toMatchObject({ status: "running", lockedBy: "current", lastError: null });
    expect(await markJobDone({ db, claim: { id, workerId: "current", attempt: 2 } })).toBe(true);
  });

  it("tells a worker's own earlier claim from its current one", async () => {
    const { db } = ctx.get();
    const { id } = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "same-worker" } });
    await claimJobs({ db, workerId: "w", limit: 1, leaseSeconds: 30 });
    await db.execute(sql`update jobs set locked_until = now() - interval '1 second' where id = ${id}`);
    await claimJobs({ db, workerId: "w", limit: 1, leaseSeconds: 30 });
    expect(await markJobDone({ db, claim: { id, workerId: "w", attempt: 1 } })).toBe(false);
    expect(await markJobDone({ db, claim: { id, workerId: "w", attempt: 2 } })).toBe(true);
  });

  it("buries a job whose last allowed attempt lost its worker, without running it again", async () => {
    const { db } = ctx.get();
    const seen: JobContext[] = [];
    const { id } = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "poison" }, maxAttempts: 1 });
    await claimJobs({ db, workerId: "crashed", limit: 1, leaseSeconds: 30 });
    await db.execute(sql`update jobs set locked_until = now() - interval '1 second' where id = ${id}`);
    const { runner } = runnerOn(db, handlersFor(async () => {}, seen));
    expect(await runner.runOnce()).toBe(1);
    expect(seen).toHaveLength(0);
    const job = await findJobById({ db, id });
    expect(job).toMatchObject({ status: "dead", attempts: 2 });
    expect(job?.lastError).toContain("lease expired");
  });

  it("renews the lease while a long job runs, so no other worker takes it", async () => {
    const { db } = ctx.get();
    const seen: JobContext[] = [];
    // Runs 1.2 × its 2 s lease; renewed every ~0.67 s, so a slow event loop has over a second of slack.
    const slow = runnerOn(db, handlersFor(() => new Promise((r) => setTimeout(r, 2_400)), seen), { leaseSeconds: 2, workerId: "slow" });
    const other = runnerOn(db, handlersFor(async () => {}, seen), { leaseSeconds: 2, workerId: "other" });
    const { id } = await enqueueJob(db, { kind: "hub.reconcile", payload: { hubId: "h" } });
    const running = slow.runner.runOnce();
    let stolen = 0;
    for (let i = 0; i < 11; i++) {
      await new Promise((r) => setTimeout(r, 200));
      stolen += await other.runner.runOnce();
    }
    await running;
    expect(stolen).toBe(0);
    expect(seen).toHaveLength(1);
    expect(await findJobById({ db, id })).toMatchObject({ status: "done", lockedBy: "slow", attempts: 1 });
  });

  it("wakes on NOTIFY when a job is queued, long before the next poll", async () => {
    const { db } = ctx.get();
    const seen: JobContext[] = [];
    const { pgliteJobListener, postgresJobListener } = await import("./start");
    const url = ctx.url();
    const listen = url ? postgresJobListener(url) : pgliteJobListener(ctx.get());
    expect(listen).not.toBeNull();
    const { runner, lines } = runnerOn(db, handlersFor(async () => {}, seen), { listen, pollMs: 60_000 });
    await runner.start();
    try {
      expect(lines.find((l) => l.message === "job runner started")?.fields.listening).toBe(true);
      const started = Date.now();
      await db.transaction(async (tx) => {
        await enqueueJob(tx, { kind: "webhook.process", payload: { webhookEventId: "notify" } });
      });
      while (seen.length === 0 && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 20));
      expect(seen).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await runner.stop();
    }
  });

  it("waits for the jobs in hand when stopped, and claims nothing after", async () => {
    const { db } = ctx.get();
    const seen: JobContext[] = [];
    const { runner } = runnerOn(db, handlersFor(() => new Promise((r) => setTimeout(r, 300)), seen), { pollMs: 50 });
    const { id } = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "stop" } });
    await runner.start();
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
    await runner.stop();
    expect(await findJobById({ db, id })).toMatchObject({ status: "done" });
    const { id: later } = await enqueueJob(db, { kind: "webhook.process", payload: { webhookEventId: "after-stop" } });
    await new Promise((r) => setTimeout(r, 200));
    expect(await findJobById({ db, id: later })).toMatchObject({ status: "queued", attempts: 0 });
  });
});
