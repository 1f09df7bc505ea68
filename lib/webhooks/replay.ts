import "server-only";
import { z } from "zod";
import { getWebhookEvent, resetWebhookEventForReplay } from "@/db/queries/webhook-events";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { enqueueJob } from "../jobs/enqueue";
import { WEBHOOK_PROCESS_JOB, webhookReplayJobKey } from "../jobs/kinds";
import { publishChange } from "../live/publish";

const eventId = z.uuid();

/**
 * Runs a stored delivery through processing again (docs/security.md R8). The caller has checked the operator role. Processing is
 * idempotent on domain ids (docs/security.md R6), so replaying an event that already took effect changes nothing twice.
 */
export async function replayWebhookEvent(actor: Actor, id: string, now: Date = new Date()): Promise<{ jobId: string }> {
  if (!eventId.safeParse(id).success) throw new AppError("not_found:webhook_event", "That webhook delivery does not exist.");
  const db = await getDb();
  return db.transaction(async (tx) => {
    const existing = await getWebhookEvent({ db: tx, id });
    if (!existing) throw new AppError("not_found:webhook_event", "That webhook delivery does not exist.");
    // "invalid" marks a signed body that was no event object at all (see ingest.ts); an event the processor
    // ignored, by contrast, may be replayed once the portal understands it.
    if (existing.event === "invalid") {
      throw new AppError("conflict:webhook_event", "This delivery is not a webhook event (its body is not an event object), so there is nothing to replay.");
    }
    await resetWebhookEventForReplay({ db: tx, id, by: actor.email });
    const job = await enqueueJob(tx, { kind: WEBHOOK_PROCESS_JOB, payload: { webhookEventId: id }, uniqueKey: webhookReplayJobKey(id, now) });
    await audit(
      tx,
      {
        actor,
        action: "webhook.replayed",
        targetType: "webhook_event",
        targetId: id,
        hubId: existing.hubId,
        detail: { event: existing.event, previousStatus: existing.status, jobId: job.id },
      },
    );
    await publishChange(tx, { topic: "webhook", id, hubId: existing.hubId });
    return { jobId: job.id };
  });
}
