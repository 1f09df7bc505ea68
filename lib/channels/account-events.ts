import "server-only";
import { insertChannelEvent } from "@/db/queries/channel-events";
import { findChannelsByPhone, lockChannelByExternalId } from "@/db/queries/channel-store";
import type { Executor } from "@/db/client";
import type { Hub, WebhookEvent as WebhookRow } from "@/db/schema";
import type { WebhookEventOf } from "../hub/events";
import { publishChange } from "../live/publish";
import { eventTimeOf, signalOf } from "./lifecycle";
import { phoneVariants } from "./phone";
import { recordSignalChanges } from "./signal-history";
import { isRecord } from "../hub/json";
import { saveChannel } from "./events";

// Events about a client's account that land on one of its numbers: restrictions and violations, and Meta's quality
// signal. They name a channel id or only a phone number (older docs, Meta's display number).

type Outcome = { status: "done" | "ignored"; effect: string };


/** The number an account event is about, locked; undefined when this portal does not know it. */
async function lockNumber(tx: Executor, hub: Hub, ev: { channelId?: string; phoneNumber?: string }) {
  const byPhone = !ev.channelId && ev.phoneNumber ? await findChannelsByPhone({ db: tx, hubId: hub.id, phoneNumbers: phoneVariants(ev.phoneNumber) }) : [];
  const externalId = ev.channelId ?? byPhone[0]?.externalId;
  return externalId ? lockChannelByExternalId({ db: tx, hubId: hub.id, externalId }) : undefined;
}

/**
 * account_violation / account_restriction: the number is flagged restricted, with the violation type (and Meta's
 * restriction type and end, when named), until staff mark it resolved (restriction.ts). Needs attention from then on
 * (stuck.ts); the flags keep what the channel page and the client's status page explain (docs/channel-lifecycle.md §2).
 */
async function applyAccountEvent(tx: Executor, hub: Hub, row: WebhookRow, ev: WebhookEventOf<"account">): Promise<Outcome> {
  const channel = await lockNumber(tx, hub, ev);
  if (!channel) return { status: "ignored", effect: `${ev.event} for a number this portal does not know` };
  const at = eventTimeOf(isRecord(ev.raw.data) ? ev.raw.data : undefined, row.receivedAt);
  const detail = { type: ev.violationType ?? null, restrictionType: ev.restrictionType ?? null, expiresAt: ev.restrictionExpiresAt ?? null };
  const flags = { ...channel.flags, [ev.event]: { ...detail, at: at.toISOString() } };
  const newest = channel.restrictedAt === null || at.getTime() >= channel.restrictedAt.getTime();
  const updated = await saveChannel(tx, channel, { flags, restricted: true, restrictedAt: newest ? at : channel.restrictedAt });
  await insertChannelEvent({
    db: tx,
    event: { hubId: hub.id, channelId: channel.id, event: ev.event, status: channel.status, source: "webhook", webhookEventId: row.id, data: { violationType: ev.violationType ?? null, ...detail }, occurredAt: at },
  });
  await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: updated.clientId ?? undefined });
  return { status: "done", effect: `channel restricted (${ev.event})` };
}

/**
 * phone_number_quality_update: Meta's quality signal and messaging limit tier for the number, kept in its flags
 * (`flags.quality`) and its history. Deliveries may come out of order: an older one is history only.
 */
async function applyQualityUpdate(tx: Executor, hub: Hub, row: WebhookRow, ev: WebhookEventOf<"quality">): Promise<Outcome> {
  const channel = await lockNumber(tx, hub, ev);
  if (!channel) return { status: "ignored", effect: `${ev.event} for a number this portal does not know` };
  const at = eventTimeOf(isRecord(ev.raw.data) ? ev.raw.data : undefined, row.receivedAt);
  const signal = { event: ev.qualityEvent ?? null, currentLimit: ev.currentLimit ?? null, oldLimit: ev.oldLimit ?? null };
  const previous = isRecord(channel.flags.quality) && typeof channel.flags.quality.at === "string" ? Date.parse(channel.flags.quality.at) : Number.NaN;
  const newest = Number.isNaN(previous) || at.getTime() >= previous;
  const limit = signalOf(ev.currentLimit);
  if (newest) {
    await saveChannel(tx, channel, { flags: { ...channel.flags, quality: { ...signal, at: at.toISOString() } }, ...(limit ? { messagingLimit: limit } : {}) });
  }
  await insertChannelEvent({
    db: tx,
    event: { hubId: hub.id, channelId: channel.id, event: ev.event, status: channel.status, source: "webhook", webhookEventId: row.id, data: signal, occurredAt: at },
  });
  if (newest && limit) await recordSignalChanges(tx, hub, channel, { messagingLimit: limit }, { source: "webhook", webhookEventId: row.id, occurredAt: at });
  await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: channel.clientId ?? undefined });
  const what = [signal.event ?? "quality update", signal.currentLimit && `limit ${signal.currentLimit}`].filter(Boolean).join(", ");
  return { status: "done", effect: newest ? `channel ${what}` : `channel ${what} (older than the stored one: history only)` };
}

/** What lib/webhooks/apply.ts runs for each kind of event this file applies. */
export const accountWebhookAppliers = { account: applyAccountEvent, quality: applyQualityUpdate };
