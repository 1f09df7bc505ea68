import "server-only";
import { findChannelsByPhone } from "@/db/queries/channel-store";
import { findHubById } from "@/db/queries/hubs";
import { setWebhookEventConfirmation, setWebhookEventOutcome } from "@/db/queries/webhook-events";
import type { Database } from "@/db/client";
import type { WebhookEvent as WebhookRow } from "@/db/schema";
import { reconcileOne } from "../channels/reconcile";
import type { ChannelDeps } from "../channels/api-keys";
import { parseWebhookBody } from "../hub/events";
import { publishChange } from "../live/publish";
import type { ApplyOutcome } from "./apply";

// An unverified delivery (its hub had no platform secret, docs/hub-settings.md §5) is a hint to look, never a
// fact: its own content is not applied. The job asks the Partner API about the channel or client it names and
// stores that answer as reconciliation would; the answer is kept on the delivery's row for the inbox.

export async function confirmUnverifiedEvent(db: Database, row: WebhookRow, options: { deps?: ChannelDeps; finalAttempt?: boolean } = {}): Promise<ApplyOutcome> {
  const hub = await findHubById({ db, id: row.hubId });
  if (!hub) throw new Error("webhook event of a deleted hub");
  if (hub.archivedAt) {
    const words = "The hub is archived: not confirmed. Restore it in Settings and replay the delivery.";
    await record(db, row, "ignored", words);
    return { status: "ignored", effect: words };
  }
  const facts = await reconcileOne(hub, { channelExternalId: row.channelExternalId ?? (await channelNamedByPhone(db, row)), clientExternalId: row.clientExternalId }, { ...options.deps, db });
  // A number announced a moment ago may not be listed yet: asked again with the job's backoff, given up at the end.
  if (facts.outcome === "not_listed" && !options.finalAttempt) throw new Error(`${facts.words} Asking again later.`);
  const status = facts.outcome === "confirmed" ? "done" : "ignored";
  await record(db, row, status, facts.words);
  return { status, effect: facts.words };
}

/**
 * Account events name a phone number, not a channel (docs/hub-contract.md §4.4): the number this hub already knows by that phone
 * is the one to re-read. Only its channel object is confirmed; a restriction the Partner API does not show in it
 * stays unconfirmed (docs/hub-settings.md §5.1).
 */
async function channelNamedByPhone(db: Database, row: WebhookRow): Promise<string | null> {
  const parsed = parseWebhookBody(row.rawBody);
  if (parsed.kind !== "account" || !parsed.phoneNumber) return null;
  const found = await findChannelsByPhone({ db, hubId: row.hubId, phoneNumbers: [parsed.phoneNumber] });
  return found.length === 1 ? found[0]!.externalId : null;
}

async function record(db: Database, row: WebhookRow, status: "done" | "ignored", words: string): Promise<void> {
  const at = new Date();
  await db.transaction(async (tx) => {
    await setWebhookEventConfirmation({ db: tx, id: row.id, confirmation: words, at });
    await setWebhookEventOutcome({ db: tx, id: row.id, status, lastError: status === "ignored" ? words : null, processedAt: at });
    await publishChange(tx, { topic: "webhook", id: row.id, hubId: row.hubId });
  });
}
