import "server-only";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Database } from "@/db/client";
import { claimJobs, extendJobLease, markJobDone, markJobFailed, type JobClaim } from "@/db/queries/jobs";
import type { Job } from "@/db/schema";
import { isAppError } from "../errors";
import { retryDelay } from "./backoff";
import { enqueueReconcileJobs } from "./enqueue";
import type { JobContext, JobHandler, JobHandlers, JobKind } from "./types";

/** The pino methods the runner uses: (fields, message). */
type LogFn = (fields: Record<string, unknown>, message: string) => void;
export type JobLog = { debug: LogFn; info: LogFn; warn: LogFn; error: LogFn };

/** Subscribes to job notifications; resolves to an unsubscribe once listening. */
export type JobListener = (onNotify: () => void) => Promise<() => Promise<void>>;

export type JobRunnerOptions = {
  getDb: () => Database | Promise<Database>;
  handlers: JobHandlers;
  /** Jobs run at the same time by this runner. */
  concurrency: number;
  /** Look for due jobs this often even without a notification (retries fall due silently). */
  pollMs: number;
  /** A claimed job belongs to this runner for this long; the lease is renewed while the handler runs. */
  leaseSeconds: number;
  workerId?: string;
  log: JobLog;
  /** Wake on NOTIFY; null = poll only. */
  listen?: JobListener | null;
  /** Queue `hub.reconcile` for every hub once per window of this many minutes; 0 or absent = off (docs/security.md R9). */
  reconcileIntervalMinutes?: number;
  /** Called once a minute to queue scheduled work whose timing lives in settings; returns jobs created. */
  everyMinute?: { name: string; run: (db: Database, now: Date) => Promise<number> }[];
  random?: () => number;
};

export type JobRunner = {
  workerId: string;
  /** Starts polling, listening and the reconcile schedule; resolves once listening (or knowing it cannot). */
  start(): Promise<void>;
  /** Stops claiming, then waits for the jobs in hand to finish. */
  stop(): Promise<void>;
  /** Claims one batch (up to `concurrency`), runs it to the end and returns its size: for tests and scripts. */
  runOnce(): Promise<number>;
};

const MAX_ERROR_LENGTH = 1_000;

/** What may be stored and logged of a failure: the safe message only, never a cause, stack or payload. */
export function jobErrorMessage(error: unknown): string {
  // drizzle's query errors quote the statement's parameters (phone numbers, payloads): keep only the cause (docs/security.md R20).
  const inner = error instanceof DrizzleQueryError ? (error.cause ?? error) : error;
  const message = isAppError(inner)
    ? `${inner.code}: ${inner.publicMessage}`
    : inner instanceof Error && !(inner instanceof DrizzleQueryError)
      ? `${inner.name === "Error" ? "" : `${inner.name}: `}${inner.message}`
      : inner instanceof DrizzleQueryError
        ? "database query failed"
        : `non-error thrown: ${typeof inner}`;
  // A NUL byte would make storing the error itself fail.
  const clean = message.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, " ");
  return clean.length > MAX_ERROR_LENGTH ? `${clean.slice(0, MAX_ERROR_LENGTH - 1)}…` : clean;
}

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { handlers, concurrency, pollMs, leaseSeconds, log } = options;
  const workerId = options.workerId ?? defaultWorkerId();
  const random = options.random ?? Math.random;
  const active = new Set<Promise<void>>();
  let running = false;
  let pumping: Promise<void> | null = null;
  let again = false;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let reconcileTimer: ReturnType<typeof setTimeout> | undefined;
  let minuteTimer: ReturnType<typeof setInterval> | undefined;
  let unlisten: (() => Promise<void>) | null = null;

  function handlerFor(kind: string): JobHandler | undefined {
    if (!Object.hasOwn(handlers, kind)) return undefined;
    return handlers[kind as JobKind] as JobHandler;
  }

  async function fail(db: Database, job: Job, claim: JobClaim, error: string, retry: boolean, cause?: unknown): Promise<void> {
    const retryInMs = retry && job.attempts < job.maxAttempts ? retryDelay(job.attempts, cause, random) : null;
    const fields = { jobId: job.id, kind: job.kind, attempt: job.attempts, error };
    const kept = await markJobFailed({ db, claim, error, retryInMs });
    if (!kept) log.warn(fields, "job failed after its lease was taken over; left to the new owner");
    else if (retryInMs === null) log.error(fields, "job is dead");
    else log.warn({ ...fields, retryInMs }, "job failed; will retry");
  }

  async function runJob(db: Database, job: Job): Promise<void> {
    const claim: JobClaim = { id: job.id, workerId, attempt: job.attempts };
    try {
      const handler = handlerFor(job.kind);
      if (!handler) return await fail(db, job, claim, `no handler for job kind "${job.kind}"`, false);
      if (job.attempts > job.maxAttempts) {
        // The last allowed attempt lost its worker (crash or lease overrun): stop here instead of looping forever.
        return await fail(db, job, claim, "the last attempt's worker stopped before finishing (lease expired)", false);
      }
      const context: JobContext = {
        id: job.id,
        kind: job.kind as JobKind,
        payload: job.payload as JobContext["payload"],
        attempt: job.attempts,
        maxAttempts: job.maxAttempts,
      };
      const renew = setInterval(
        () => {
          extendJobLease({ db, claim, leaseSeconds }).then(
            (held) => held || log.warn({ jobId: job.id, kind: job.kind }, "job lease was taken over while running"),
            (error: unknown) => log.warn({ jobId: job.id, error: jobErrorMessage(error) }, "could not renew a job lease"),
          );
        },
        Math.max(100, (leaseSeconds * 1_000) / 3),
      );
      const started = Date.now();
      try {
        await handler(context);
      } catch (error) {
        return await fail(db, job, claim, jobErrorMessage(error), true, error);
      } finally {
        clearInterval(renew);
      }
      const kept = await markJobDone({ db, claim });
      const fields = { jobId: job.id, kind: job.kind, attempt: job.attempts, ms: Date.now() - started };
      if (kept) log.info(fields, "job done");
      else log.warn(fields, "job finished after its lease was taken over; result not recorded");
    } catch (error) {
      // The database failed while recording the outcome: the lease runs out and the job is run again (docs/security.md R8).
      log.error({ jobId: job.id, kind: job.kind, error: jobErrorMessage(error) }, "could not record a job's outcome");
    }
  }

  async function claim(limit: number): Promise<{ db: Database; jobs: Job[] } | null> {
    try {
      const db = await options.getDb();
      return { db, jobs: await claimJobs({ db, workerId, limit, leaseSeconds }) };
    } catch (error) {
      log.error({ error: jobErrorMessage(error) }, "could not claim jobs");
      return null;
    }
  }

  function track(db: Database, job: Job): Promise<void> {
    const run = runJob(db, job);
    active.add(run);
    void run.finally(() => {
      active.delete(run);
      wake();
    });
    return run;
  }

  async function pump(): Promise<void> {
    while (running) {
      const free = concurrency - active.size;
      if (free <= 0) return;
      const claimed = await claim(free);
      if (!claimed) return;
      for (const job of claimed.jobs) track(claimed.db, job);
      if (claimed.jobs.length < free) return;
    }
  }

  function wake(): void {
    if (!running) return;
    if (pumping) {
      again = true;
      return;
    }
    again = false;
    pumping = pump().finally(() => {
      pumping = null;
      if (again) wake();
    });
  }

  async function scheduleReconcile(): Promise<void> {
    const minutes = options.reconcileIntervalMinutes ?? 0;
    if (!running || minutes <= 0) return;
    try {
      const created = await enqueueReconcileJobs({ db: await options.getDb(), now: new Date(), intervalMinutes: minutes });
      if (created > 0) log.info({ created }, "reconcile jobs queued");
    } catch (error) {
      log.error({ error: jobErrorMessage(error) }, "could not queue reconcile jobs");
    }
    if (!running) return;
    const size = minutes * 60_000;
    // Just past the next window boundary, so the next call lands in the new window.
    const delay = size - (Date.now() % size) + 1_000;
    reconcileTimer = setTimeout(() => void scheduleReconcile(), delay);
    reconcileTimer.unref();
  }

  async function runEveryMinute(): Promise<void> {
    for (const task of options.everyMinute ?? []) {
      if (!running) return;
      try {
        const created = await task.run(await options.getDb(), new Date());
        if (created > 0) log.info({ created, task: task.name }, "scheduled jobs queued");
      } catch (error) {
        log.error({ error: jobErrorMessage(error), task: task.name }, "could not queue scheduled jobs");
      }
    }
  }

  return {
    workerId,
    async start() {
      if (running) return;
      running = true;
      pollTimer = setInterval(wake, pollMs);
      if (options.listen) {
        try {
          const stopListening = await options.listen(wake);
          if (running) unlisten = stopListening;
          else await stopListening();
        } catch (error) {
          log.warn({ error: jobErrorMessage(error) }, "LISTEN unavailable; polling only");
        }
      }
      void scheduleReconcile();
      if (options.everyMinute?.length) {
        void runEveryMinute();
        minuteTimer = setInterval(() => void runEveryMinute(), 60_000);
        minuteTimer.unref();
      }
      log.info({ workerId, concurrency, pollMs, listening: unlisten !== null }, "job runner started");
      wake();
    },
    async stop() {
      running = false;
      clearInterval(pollTimer);
      clearTimeout(reconcileTimer);
      clearInterval(minuteTimer);
      const stopListening = unlisten;
      unlisten = null;
      await stopListening?.().catch((error: unknown) => log.warn({ error: jobErrorMessage(error) }, "could not stop listening"));
      await pumping;
      while (active.size > 0) await Promise.allSettled([...active]);
    },
    async runOnce() {
      const claimed = await claim(concurrency);
      if (!claimed) return 0;
      await Promise.all(claimed.jobs.map((job) => track(claimed.db, job)));
      return claimed.jobs.length;
    },
  };
}
