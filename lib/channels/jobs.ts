import "server-only";
import { isAppError } from "../errors";
import { withStorableErrors } from "../jobs/failure";
import type { JobContext, JobHandler } from "../jobs/types";
import { logger } from "../log";
import { provisionApiKey, type KeyStoredHook } from "./api-keys";
import { reconcileHub, type ReconcileResult } from "./reconcile";

// The job runner's entry points for channel work. Each is idempotent (docs/security.md R8): a re-run after a crash repeats
// nothing that already took effect.

/** `api_key.provision`; `onKeyStored` runs in the transaction that stores the key (the composition root passes the onboarding funnel's). */
export function apiKeyProvisionHandler(hooks: { onKeyStored?: KeyStoredHook } = {}): JobHandler<"api_key.provision"> {
  return (job) => withStorableErrors(() => provisionApiKey(job.payload, { onKeyStored: hooks.onKeyStored }));
}

// A deleted hub, or one without Partner API credentials yet, has nothing to reconcile: retrying would only
// fill the dead-letter list every interval.
const NOTHING_TO_RECONCILE = new Set(["not_found:hub", "invalid:hub_credentials", "gone:hub_archived"]);

/** What a reconcile run came to, for whoever shows it (the composition root records it on the hub). */
export type ReconcileRunOutcome =
  | { state: "done"; result: ReconcileResult }
  | { state: "skipped"; reason: string }
  | { state: "failed"; error: unknown; final: boolean };

export function hubReconcileHandlerWith(hooks: { onOutcome?: (job: JobContext<"hub.reconcile">, outcome: ReconcileRunOutcome) => Promise<void> } = {}): JobHandler<"hub.reconcile"> {
  return (job) =>
    withStorableErrors(async () => {
      let outcome: ReconcileRunOutcome;
      try {
        outcome = { state: "done", result: await reconcileHub(job.payload.hubId) };
      } catch (error) {
        if (!isAppError(error) || !NOTHING_TO_RECONCILE.has(error.code)) {
          await hooks.onOutcome?.(job, { state: "failed", error, final: job.attempt >= job.maxAttempts });
          throw error;
        }
        logger("channels").info({ hubId: job.payload.hubId, reason: error.code }, "reconcile skipped");
        outcome = { state: "skipped", reason: error.publicMessage };
      }
      await hooks.onOutcome?.(job, outcome);
    });
}

export const hubReconcileHandler: JobHandler<"hub.reconcile"> = hubReconcileHandlerWith();
