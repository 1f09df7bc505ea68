import "server-only";
import { z } from "zod";
import { findJobById, notifyJobsChannel, requeueDeadJob } from "@/db/queries/jobs";
import type { Job } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";

const jobId = z.uuid();

/** Sends a dead job back to the queue with a fresh attempt budget (docs/security.md R8 dead-letter replay); audited. */
export async function replayJob(actor: Actor, id: string): Promise<Job> {
  if (!jobId.safeParse(id).success) throw new AppError("not_found:job", "That job does not exist.");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const job = await requeueDeadJob({ db: tx, id });
    if (!job) {
      const existing = await findJobById({ db: tx, id });
      if (!existing) throw new AppError("not_found:job", "That job does not exist.");
      throw new AppError("conflict:job", `Only dead jobs can be replayed; this one is ${existing.status}.`);
    }
    await audit(tx, { actor, action: "job.replayed", targetType: "job", targetId: job.id, detail: { kind: job.kind } });
    await notifyJobsChannel({ db: tx, kind: job.kind });
    return job;
  });
}
