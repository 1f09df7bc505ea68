import "server-only";
import { findHubById } from "@/db/queries/hubs";
import { getWebhookEvent } from "@/db/queries/webhook-events";
import { setForwardOutcome } from "@/db/queries/waba-webhook";
import type { Database, Executor } from "@/db/client";
import type { Hub, WebhookEvent as WebhookRow } from "@/db/schema";
import { getDb } from "../db";
import type { MetaChangeOf } from "../hub/meta-events";
import { enqueueJob } from "../jobs/enqueue";
import { failureMessage } from "../jobs/failure";
import type { JobHandler } from "../jobs/types";
import { publishChange } from "../live/publish";
import { logger } from "../log";

// Message traffic that reaches the WABA webhook (a number without a webhook of its own: Meta falls back from the
// number to its WABA, docs/waba-webhook.md §5) belongs to the partner's messaging system, not to the portal: it is
// forwarded byte for byte, with its content type, to the messaging URL set for the hub (Settings), by a durable job
// that retries and ends in the dead list an operator can replay; never dropped, and its outcome is on the inbox row.

const FORWARD_TIMEOUT_MS = 10_000;
/** Retries spread over about a day with the runner's backoff; the delivery stays in the inbox either way. */
const FORWARD_MAX_ATTEMPTS = 20;

/**
 * The `messages` applier: queues the forward of the whole delivery once per processing (a replay forwards again,
 * on purpose: that is what an operator asks for). All `messages` changes of one delivery share the one job.
 */
async function queueForward(tx: Executor, hub: Hub, row: WebhookRow, change: MetaChangeOf<"messages">): Promise<{ status: "done"; effect: string }> {
  await enqueueJob(tx, {
    kind: "webhook.forward",
    payload: { webhookEventId: row.id },
    uniqueKey: `webhook.forward:${row.id}:${row.attempts}`,
    maxAttempts: FORWARD_MAX_ATTEMPTS,
  });
  const what = [change.messages && `${change.messages} message(s)`, change.statuses && `${change.statuses} status(es)`, change.errors && `${change.errors} error(s)`]
    .filter(Boolean)
    .join(", ");
  return { status: "done", effect: `${what || "message traffic"}: forwarding to ${hub.channelWebhookUrl ?? "the messaging URL (none set in Settings yet)"} queued` };
}

/** What lib/webhooks/apply.ts runs for each Meta field this file applies. */
export const forwardMetaAppliers = { messages: queueForward };

export type ForwardDeps = { db?: Database; fetch?: typeof fetch };

/** Sends one stored delivery on, as received. Throws (the job retries) until the partner's URL answers 2xx. */
export async function forwardDelivery(webhookEventId: string, options: ForwardDeps & { finalAttempt?: boolean } = {}): Promise<"forwarded" | "missing"> {
  const db = options.db ?? (await getDb());
  const row = await getWebhookEvent({ db, id: webhookEventId });
  if (!row) return "missing";
  const hub = await findHubById({ db, id: row.hubId });
  if (!hub) return "missing";
  try {
    if (!hub.channelWebhookUrl) throw new Error("no messaging URL is set for this hub (Settings → Messaging webhook URL): kept until one is");
    const response = await (options.fetch ?? fetch)(hub.channelWebhookUrl, {
      method: "POST",
      headers: { "content-type": row.headers["content-type"] ?? "application/json", "user-agent": "360dialog-partner-portal (forwarded WABA webhook)" },
      body: Buffer.from(row.rawBody, "utf8"),
      redirect: "manual",
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status < 200 || response.status >= 300) throw new Error(`the messaging URL answered HTTP ${response.status}`);
  } catch (error) {
    const message = `forwarding failed: ${failureMessage(error)}`;
    await mark(db, row, options.finalAttempt ? "dead" : "failed", message);
    logger("webhooks").warn({ webhookEventId, err: message }, "forwarding a WABA delivery failed");
    throw new Error(message, { cause: error });
  }
  await mark(db, row, "done", null);
  return "forwarded";
}

async function mark(db: Database, row: WebhookRow, status: WebhookRow["status"], lastError: string | null): Promise<void> {
  await db.transaction(async (tx) => {
    await setForwardOutcome({ db: tx, id: row.id, status, lastError });
    await publishChange(tx, { topic: "webhook", id: row.id, hubId: row.hubId });
  });
}

/** The `webhook.forward` job. */
export const webhookForwardHandler: JobHandler<"webhook.forward"> = async (job) => {
  await forwardDelivery(job.payload.webhookEventId, { finalAttempt: job.attempt >= job.maxAttempts });
};
