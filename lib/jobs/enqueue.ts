import "server-only";
import type { Executor } from "@/db/client";
import { listHubs } from "@/db/queries/hubs";
import { insertJob, notifyJobsChannel } from "@/db/queries/jobs";
import type { Enqueue } from "./types";

/**
 * Queues a job. Pass the caller's transaction so the job commits with the change that caused it (transactional
 * outbox, docs/security.md R8) and the wake-up NOTIFY goes out only at that commit. With a uniqueKey already taken, nothing is
 * added and the existing job's id comes back with created: false.
 */
export const enqueueJob: Enqueue = async (db, input) => {
  const result = await insertJob({
    db,
    job: {
      kind: input.kind,
      payload: input.payload,
      uniqueKey: input.uniqueKey,
      runAt: input.runAt,
      maxAttempts: input.maxAttempts,
    },
  });
  if (result.created) await notifyJobsChannel({ db, kind: input.kind });
  return result;
};

/** A missed reconcile is healed by the next window, so a few quick retries are enough (docs/security.md R9). */
export const RECONCILE_MAX_ATTEMPTS = 3;

/** Start of the reconcile window holding `now`: epoch-aligned, so every instance computes the same one. */
export function reconcileWindowStart(now: Date, intervalMinutes: number): Date {
  const size = intervalMinutes * 60_000;
  return new Date(Math.floor(now.getTime() / size) * size);
}

/**
 * Queues one `hub.reconcile` per hub for the window holding `now`. The unique key names the window, so several
 * instances calling this in the same window queue each hub once. Returns how many jobs were new.
 */
export async function enqueueReconcileJobs({
  db,
  now,
  intervalMinutes,
}: {
  db: Executor;
  now: Date;
  intervalMinutes: number;
}): Promise<number> {
  const window = reconcileWindowStart(now, intervalMinutes).toISOString();
  let created = 0;
  for (const hub of await listHubs({ db })) {
    if (hub.archivedAt) continue; // archived: no jobs (docs/hub-settings.md §6)
    const result = await enqueueJob(db, {
      kind: "hub.reconcile",
      payload: { hubId: hub.id },
      uniqueKey: `hub.reconcile:${hub.id}:${window}`,
      maxAttempts: RECONCILE_MAX_ATTEMPTS,
    });
    if (result.created) created++;
  }
  return created;
}
