import { sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { jobs, type Job } from "@/db/schema";
import { JOB_KINDS, type JobContext, type JobHandlers } from "@/lib/jobs/types";

/** How many jobs are in each status: for tests that wait for a queue to drain. */
export async function countJobsByStatus({ db }: { db: Executor }): Promise<Record<Job["status"], number>> {
  const rows = await db
    .select({ status: jobs.status, count: sql<number>`count(*)::int` })
    .from(jobs)
    .groupBy(jobs.status);
  const counts: Record<Job["status"], number> = { queued: 0, running: 0, done: 0, dead: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

/** One handler for every job kind: runner tests that watch what runs, whatever its kind. */
export function sameHandlerForEveryKind(handler: (job: JobContext) => Promise<void>): JobHandlers {
  return Object.fromEntries(JOB_KINDS.map((kind) => [kind, handler])) as JobHandlers;
}
