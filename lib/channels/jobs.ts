import "server-only";
import { isAppError } from "../errors";
import { withStorableErrors } from "../jobs/failure";
import type { JobHandler } from "../jobs/types";
import { logger } from "../log";
import { provisionApiKey, type KeyStoredHook } from "./api-keys";
import { reconcileHub } from "./reconcile";

// The job runner's entry points for channel work. Each is idempotent (R8): a re-run after a crash repeats
// nothing that already took effect.

/** `api_key.provision`; `onKeyStored` runs in the transaction that stores the key (the composition root passes the onboarding funnel's). */
export function apiKeyProvisionHandler(hooks: { onKeyStored?: KeyStoredHook } = {}): JobHandler<"api_key.provision"> {
  return (job) => withStorableErrors(() => provisionApiKey(job.payload, { onKeyStored: hooks.onKeyStored }));
}

// A deleted hub, or one without Partner API credentials yet, has nothing to reconcile: retrying would only
// fill the dead-letter list every interval.
const NOTHING_TO_RECONCILE = new Set(["not_found:hub", "invalid:hub_credentials"]);

export const hubReconcileHandler: JobHandler<"hub.reconcile"> = (job) =>
  withStorableErrors(async () => {
    try {
      await reconcileHub(job.payload.hubId);
    } catch (error) {
      if (!isAppError(error) || !NOTHING_TO_RECONCILE.has(error.code)) throw error;
      logger("channels").info({ hubId: job.payload.hubId, reason: error.code }, "reconcile skipped");
    }
  });
