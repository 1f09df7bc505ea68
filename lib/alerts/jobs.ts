import "server-only";
import { findAlertDelivery, findAlertDestination, recordAlertDeliveryOutcome } from "@/db/queries/alerts";
import type { Database } from "@/db/client";
import type { JobHandler } from "../jobs/types";
import { failureMessage } from "../jobs/failure";
import { openSlackUrl, postToSlack } from "./slack";

/**
 * The `alert.slack` job: posts one queued alert to its Slack webhook and writes the outcome on its history row.
 * A failure is thrown so the runner retries it (with Slack's Retry-After on a 429); the last failure shows as
 * failed. A destination removed meanwhile ends the delivery as failed without a retry.
 */
export function alertSlackHandlerWith(deps: { getDb: () => Promise<Database> }): JobHandler<"alert.slack"> {
  return async (job) => {
    const db = await deps.getDb();
    const delivery = await findAlertDelivery({ db, id: job.payload.deliveryId });
    if (!delivery || delivery.status === "sent") return;
    const destination = delivery.destinationId ? await findAlertDestination({ db, id: delivery.destinationId }) : undefined;
    if (!destination?.slackUrlEnc) {
      await recordAlertDeliveryOutcome({ db, id: delivery.id, outcome: { status: "failed", attempts: job.attempt, error: "The destination was removed.", at: new Date() } });
      return;
    }
    try {
      await postToSlack(openSlackUrl(destination.id, destination.slackUrlEnc), { text: delivery.message });
    } catch (error) {
      const last = job.attempt >= job.maxAttempts;
      await recordAlertDeliveryOutcome({ db, id: delivery.id, outcome: { status: last ? "failed" : "retrying", attempts: job.attempt, error: failureMessage(error), at: new Date() } });
      throw error;
    }
    await recordAlertDeliveryOutcome({ db, id: delivery.id, outcome: { status: "sent", attempts: job.attempt, error: null, at: new Date() } });
  };
}
