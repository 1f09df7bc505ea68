import "server-only";
import postgres from "postgres";
import type { DatabaseHandle } from "@/db/client";
import { JOBS_CHANNEL } from "@/db/queries/jobs";
import { getDatabaseHandle, getDb } from "../db";
import { getEnv, type Env } from "../env";
import { logger } from "../log";
import { processSlots as slots } from "../process-slots";
import { createJobRunner, type JobListener, type JobRunner, type JobRunnerOptions } from "./runner";

/** What the composition root (lib/job-registry.ts) gives the runner: a handler per job kind, and the every-minute tasks. */
export type JobRegistry = Pick<JobRunnerOptions, "handlers" | "everyMinute">;

/**
 * LISTEN on PostgreSQL through one dedicated connection (a pooled one would be handed to other queries).
 * postgres.js re-listens after a reconnect and calls onlisten again, which wakes the runner for anything missed.
 */
export function postgresJobListener(url: string, connectTimeoutSeconds = 10): JobListener {
  return async (onNotify) => {
    const sql = postgres(url, { max: 1, connect_timeout: connectTimeoutSeconds, onnotice: () => {} });
    try {
      await sql.listen(JOBS_CHANNEL, () => onNotify(), () => onNotify());
    } catch (error) {
      await sql.end({ timeout: 1 });
      throw error;
    }
    return async () => {
      await sql.end({ timeout: 5 });
    };
  };
}

/** LISTEN on embedded PGlite through its handle (one connection, which hears its own NOTIFYs at commit); null elsewhere. */
export function pgliteJobListener(handle: DatabaseHandle): JobListener | null {
  const listen = handle.driver === "pglite" ? handle.listen : undefined;
  if (!listen) return null;
  return (onNotify) => listen(JOBS_CHANNEL, () => onNotify());
}

/** The runner as configured by the environment, on the process's database (lib/db.ts). */
export async function createJobRunnerFromEnv(registry: JobRegistry, env: Env = getEnv()): Promise<JobRunner> {
  const handle = await getDatabaseHandle();
  const listen =
    handle.driver === "postgres" && env.DATABASE_URL
      ? postgresJobListener(env.DATABASE_URL, env.DB_CONNECT_TIMEOUT_S)
      : pgliteJobListener(handle);
  return createJobRunner({
    getDb,
    handlers: registry.handlers,
    concurrency: env.JOBS_CONCURRENCY,
    pollMs: env.JOBS_POLL_MS,
    leaseSeconds: env.JOBS_LEASE_SECONDS,
    log: logger("jobs"),
    listen,
    reconcileIntervalMinutes: env.RECONCILE_INTERVAL_MINUTES,
    everyMinute: registry.everyMinute,
  });
}

// A process slot (lib/process-slots.ts): the runner must start only once per process; server.ts stops it on shutdown.
declare module "../process-slots" {
  interface ProcessSlots {
    /** The in-process job runner, or null when it does not run here (JOBS_IN_PROCESS off, `next build`). */
    jobRunner?: Promise<JobRunner | null>;
  }
}

/**
 * Starts the job runner inside the portal process (from boot), unless JOBS_IN_PROCESS is off (a separate
 * `npm run worker` runs it) or this is `next build`. Stops on SIGTERM, letting jobs in hand finish.
 */
export function startJobsInProcess(registry: JobRegistry): Promise<JobRunner | null> {
  slots.jobRunner ??= (async () => {
    const env = getEnv();
    if (!env.JOBS_IN_PROCESS || env.NEXT_PHASE === "phase-production-build") return null;
    const runner = await createJobRunnerFromEnv(registry, env);
    await runner.start();
    process.once("SIGTERM", () => void runner.stop());
    return runner;
  })().catch((error: unknown) => {
    slots.jobRunner = undefined;
    throw error;
  });
  return slots.jobRunner;
}
