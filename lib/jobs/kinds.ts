import type { JobKind } from "./types";

// Job kinds whose enqueue is not an enqueueJob() call with a literal kind, so that a search for the kind finds
// every place that queues it.

/**
 * Applies one stored webhook delivery (lib/webhooks/apply.ts). Queued in the very statement that stores the
 * delivery (lib/webhooks/store.ts, the receiver's hot path: db/queries/webhook-events.ts writes it as SQL), and
 * by an operator's replay (lib/webhooks/replay.ts).
 */
export const WEBHOOK_PROCESS_JOB = "webhook.process" as const satisfies JobKind;

/** A delivery's own job is keyed `webhook:<webhook_events.id>`: whatever happens, it is queued once. */
export const WEBHOOK_JOB_KEY_PREFIX = "webhook:";

export function webhookJobKey(webhookEventId: string): string {
  return `${WEBHOOK_JOB_KEY_PREFIX}${webhookEventId}`;
}

/** A replay's job: a fresh key each time, since the delivery's own job may still exist (done or dead). */
export function webhookReplayJobKey(webhookEventId: string, at: Date): string {
  return `${webhookJobKey(webhookEventId)}:replay:${at.getTime()}`;
}
