import "server-only";
import { findChannelsByPhone } from "@/db/queries/channel-store";
import { findHubById } from "@/db/queries/hubs";
import { findChannelsOfWaba } from "@/db/queries/waba-webhook";
import { setWebhookEventConfirmation, setWebhookEventOutcome } from "@/db/queries/webhook-events";
import type { Database } from "@/db/client";
import type { Hub, WebhookEvent as WebhookRow } from "@/db/schema";
import { reconcileOne } from "../channels/reconcile";
import type { ChannelDeps } from "../channels/api-keys";
import { parseWebhookBody } from "../hub/events";
import { enqueueChannelSync } from "../templates/sync-jobs";
import { publishChange } from "../live/publish";
import { holdWhileArchived, type ApplyOutcome } from "./apply";

// An unverified delivery (its hub had no platform secret, docs/hub-settings.md §5) is a hint to look, never a
// fact: its own content is not applied. The job asks the Partner API about the channel or client it names and
// stores that answer as reconciliation would; the answer is kept on the delivery's row for the inbox.

export async function confirmUnverifiedEvent(db: Database, row: WebhookRow, options: { deps?: ChannelDeps; finalAttempt?: boolean } = {}): Promise<ApplyOutcome> {
  const hub = await findHubById({ db, id: row.hubId });
  if (!hub) throw new Error("webhook event of a deleted hub");
  // Held while the hub is archived, like a signed delivery (docs/hub-settings.md §6.6): not even confirmed.
  if (hub.archivedAt) return db.transaction((tx) => holdWhileArchived(tx, row));
  if (row.source === "waba") return confirmUnverifiedWaba(db, hub, row, options);
  const facts = await reconcileOne(hub, { channelExternalId: row.channelExternalId ?? (await channelNamedByPhone(db, row)), clientExternalId: row.clientExternalId }, { ...options.deps, db });
  // A number announced a moment ago may not be listed yet: asked again with the job's backoff, given up at the end.
  if (facts.outcome === "not_listed" && !options.finalAttempt) throw new Error(`${facts.words} Asking again later.`);
  const status = facts.outcome === "confirmed" ? "done" : "ignored";
  await record(db, row, status, facts.words);
  return { status, effect: facts.words };
}

const TEMPLATE_FIELDS = new Set(["message_template_status_update", "template_category_update", "message_template_quality_update"]);

/**
 * A WABA webhook delivery that came without the hub's secret (docs/waba-webhook.md §2.1): Meta's body is not
 * believed. Every number of the WABA it names is re-read with the Partner API (as reconcile would), and where it
 * names template events a template sync of one of those numbers is queued, so the verdicts come from 360dialog's
 * own list. Message traffic is not forwarded: nothing can confirm it, and passing on what anyone could have sent
 * would hand the partner's system forged messages. It stays in the inbox.
 */
async function confirmUnverifiedWaba(db: Database, hub: Hub, row: WebhookRow, options: { deps?: ChannelDeps; finalAttempt?: boolean }): Promise<ApplyOutcome> {
  const parsed = parseWebhookBody(row.rawBody);
  const changes = parsed.kind === "meta" ? parsed.changes : [];
  const wabaIds = [...new Set(changes.map((c) => c.wabaId).filter((id): id is string => typeof id === "string" && id !== ""))];
  const words: string[] = [];
  let confirmed = false;
  let notListed = false;
  for (const wabaId of wabaIds.slice(0, 5)) {
    const numbers = await findChannelsOfWaba({ db, hubId: hub.id, metaWabaId: wabaId });
    if (numbers.length === 0) {
      words.push(`No number of WABA ${wabaId} is known here.`);
      continue;
    }
    for (const number of numbers) {
      const facts = await reconcileOne(hub, { channelExternalId: number.externalId }, { ...options.deps, db });
      if (facts.outcome === "confirmed") confirmed = true;
      else notListed = true;
      words.push(facts.words);
    }
    if (changes.some((c) => c.wabaId === wabaId && TEMPLATE_FIELDS.has(c.field))) {
      await enqueueChannelSync(db, { channelId: numbers[0]!.id, reason: "webhook" });
      words.push(`A template sync of ${numbers[0]!.phoneNumber ?? numbers[0]!.externalId} was queued to read the templates' status from 360dialog.`);
      confirmed = true;
    }
  }
  if (changes.some((c) => c.field === "messages")) words.push("Message traffic without the hub's secret is not forwarded: it cannot be confirmed.");
  if (!confirmed && notListed && !options.finalAttempt) throw new Error(`${words.join(" ")} Asking again later.`);
  const text = (words.length ? words.join(" ") : "Names no WABA: nothing to ask 360dialog about.").slice(0, 1000);
  const status = confirmed ? "done" : "ignored";
  await record(db, row, status, text);
  return { status, effect: text };
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
