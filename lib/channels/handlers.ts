import "server-only";
import { DrizzleQueryError } from "drizzle-orm";
import { isAppError } from "../errors";
import type { JobHandler } from "../jobs/types";
import { logger } from "../log";
import { provisionApiKey } from "./api-keys";
import { applyWebhookEvent, failureMessage } from "./lifecycle";
import { reconcileHub } from "./reconcile";

// The job runner's entry points for channel work. Each is idempotent (R8): a re-run after a crash repeats
// nothing that already took effect.

/** The runner stores and logs error messages: a database error goes back without its statement's parameters. */
async function cleanly(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    throw error instanceof DrizzleQueryError ? new Error(failureMessage(error), { cause: error }) : error;
  }
}

export const webhookProcessHandler: JobHandler<"webhook.process"> = (job) =>
  cleanly(() => applyWebhookEvent(job.payload.webhookEventId, { finalAttempt: job.attempt >= job.maxAttempts }));

export const apiKeyProvisionHandler: JobHandler<"api_key.provision"> = (job) => cleanly(() => provisionApiKey(job.payload));

// A deleted hub, or one without Partner API credentials yet, has nothing to reconcile: retrying would only
// fill the dead-letter list every interval.
const NOTHING_TO_RECONCILE = new Set(["not_found:hub", "invalid:hub_credentials"]);

export const hubReconcileHandler: JobHandler<"hub.reconcile"> = (job) =>
  cleanly(async () => {
    try {
      await reconcileHub(job.payload.hubId);
    } catch (error) {
      if (!isAppError(error) || !NOTHING_TO_RECONCILE.has(error.code)) throw error;
      logger("channels").info({ hubId: job.payload.hubId, reason: error.code }, "reconcile skipped");
    }
  });
