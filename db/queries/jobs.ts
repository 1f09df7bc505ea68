import "server-only";
import { and, asc, eq, inArray, lte, lt, or, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { jobs, type Job } from "../schema";

/** The LISTEN/NOTIFY channel idle runners wait on; the payload is the job's kind. */
export const JOBS_CHANNEL = "jobs";

export type NewJob = {
  kind: string;
  payload: Record<string, unknown>;
  uniqueKey?: string;
  runAt?: Date;
  maxAttempts?: number;
};

/** Inserts a job; with a unique key already taken, inserts nothing and returns the existing row's id. */
export async function insertJob({ db, job }: { db: Executor; job: NewJob }): Promise<{ id: string; created: boolean }> {
  const values = {
    kind: job.kind,
    payload: job.payload,
    uniqueKey: job.uniqueKey ?? null,
    ...(job.runAt ? { runAt: job.runAt } : {}),
    ...(job.maxAttempts ? { maxAttempts: job.maxAttempts } : {}),
  };
  if (!job.uniqueKey) {
    const [row] = await db.insert(jobs).values(values).returning({ id: jobs.id });
    if (!row) throw new Error("insertJob returned no row");
    return { id: row.id, created: true };
  }
  const [row] = await db.insert(jobs).values(values).onConflictDoNothing({ target: jobs.uniqueKey }).returning({ id: jobs.id });
  if (row) return { id: row.id, created: true };
  // ON CONFLICT waited for the other writer to commit, so a fresh statement sees its row.
  const [existing] = await db.select({ id: jobs.id }).from(jobs).where(eq(jobs.uniqueKey, job.uniqueKey)).limit(1);
  if (!existing) throw new Error("insertJob: unique key taken but no row found");
  return { id: existing.id, created: false };
}

/** Delivered at commit when `db` is a transaction, so nobody wakes for a rolled-back job. */
export async function notifyJobsChannel({ db, kind }: { db: Executor; kind: string }): Promise<void> {
  await db.execute(sql`select pg_notify(${JOBS_CHANNEL}, ${kind})`);
}

/**
 * Claims up to `limit` runnable jobs for `workerId` with a lease: queued ones whose time has come, and running
 * ones whose lease ran out (their worker died). SKIP LOCKED lets many workers claim side by side, never the same row.
 */
export async function claimJobs({
  db,
  workerId,
  limit,
  leaseSeconds,
}: {
  db: Executor;
  workerId: string;
  limit: number;
  leaseSeconds: number;
}): Promise<Job[]> {
  const runnable = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      or(
        and(eq(jobs.status, "queued"), lte(jobs.runAt, sql`now()`)),
        and(eq(jobs.status, "running"), lt(jobs.lockedUntil, sql`now()`)),
      ),
    )
    .orderBy(asc(jobs.runAt), asc(jobs.createdAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(jobs)
    .set({
      status: "running",
      attempts: sql`${jobs.attempts} + 1`,
      lockedUntil: sql`now() + make_interval(secs => ${leaseSeconds})`,
      lockedBy: workerId,
      updatedAt: sql`now()`,
    })
    .where(inArray(jobs.id, runnable))
    .returning();
}

/** The claim a worker holds: its id and the attempt it claimed. A job re-claimed since then no longer matches. */
export type JobClaim = { id: string; workerId: string; attempt: number };

function heldBy(claim: JobClaim): SQL | undefined {
  return and(eq(jobs.id, claim.id), eq(jobs.status, "running"), eq(jobs.lockedBy, claim.workerId), eq(jobs.attempts, claim.attempt));
}

/** Pushes the lease of a long-running job forward; false when the claim was lost. */
export async function extendJobLease({ db, claim, leaseSeconds }: { db: Executor; claim: JobClaim; leaseSeconds: number }): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ lockedUntil: sql`now() + make_interval(secs => ${leaseSeconds})`, updatedAt: sql`now()` })
    .where(heldBy(claim))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Marks the job done; false (and no change) when another worker has claimed it since (docs/security.md R8). */
export async function markJobDone({ db, claim }: { db: Executor; claim: JobClaim }): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ status: "done", lockedUntil: null, finishedAt: sql`now()`, updatedAt: sql`now()` })
    .where(heldBy(claim))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Records a failure: back to the queue after `retryInMs`, or `dead` when retryInMs is null. False when the claim was lost. */
export async function markJobFailed({
  db,
  claim,
  error,
  retryInMs,
}: {
  db: Executor;
  claim: JobClaim;
  error: string;
  retryInMs: number | null;
}): Promise<boolean> {
  const set =
    retryInMs === null
      ? { status: "dead" as const, finishedAt: sql`now()` }
      : { status: "queued" as const, runAt: sql`now() + make_interval(secs => ${retryInMs / 1_000})` };
  const rows = await db
    .update(jobs)
    .set({ ...set, lastError: error, lockedUntil: null, updatedAt: sql`now()` })
    .where(heldBy(claim))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/** Dead → queued with a fresh attempt budget, due now. Undefined when the job is missing or not dead. */
export async function requeueDeadJob({ db, id }: { db: Executor; id: string }): Promise<Job | undefined> {
  const [row] = await db
    .update(jobs)
    .set({
      status: "queued",
      attempts: 0,
      runAt: sql`now()`,
      lockedUntil: null,
      lockedBy: null,
      finishedAt: null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(jobs.id, id), eq(jobs.status, "dead")))
    .returning();
  return row;
}

export async function findJobById({ db, id }: { db: Executor; id: string }): Promise<Job | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id)).limit(1);
  return row;
}
