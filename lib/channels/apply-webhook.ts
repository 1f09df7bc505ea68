import "server-only";
import type { Executor } from "@/db/client";
import type { Hub, WebhookEvent as WebhookRow } from "@/db/schema";
import { lockChannelByExternalId } from "@/db/queries/channel-store";
import { isCancellationEvent, type WebhookEventOf } from "../hub/events";
import { applyCancellation } from "./cancellation";
import { applyChannelSnapshot, clientOfChannel, eventTimeOf } from "./lifecycle";
import { applyPermission } from "./permissions";
import { dateOf } from "../dates";
import { storeClient } from "./store-client";

// What a channel or client event from the partner webhook does to the portal's channels and clients.

type Outcome = { status: "done" | "ignored"; effect: string };

/**
 * A lifecycle event (`channel_*`, `cancellation_*`): the channel snapshot, forward-only (lifecycle.ts); a
 * permission grant or the end of the number (cancellation.ts) on top.
 */
async function applyChannelEvent(tx: Executor, hub: Hub, row: WebhookRow, parsed: WebhookEventOf<"channel">): Promise<Outcome> {
  const ch = parsed.channel;
  const occurredAt = eventTimeOf(ch.raw, row.receivedAt);
  const statusBefore = isCancellationEvent(parsed.event) ? (await lockChannelByExternalId({ db: tx, hubId: hub.id, externalId: ch.id }))?.status : undefined;
  const result = await applyChannelSnapshot(
    tx,
    hub,
    {
      externalId: ch.id,
      client: clientOfChannel(ch.raw, ch.clientId),
      status: ch.status,
      phoneNumber: ch.phoneNumber,
      displayName: ch.phoneName,
      wabaId: ch.wabaAccountId,
      accountMode: ch.accountMode,
      qualityRating: ch.qualityRating,
      messagingLimit: ch.messagingLimit,
      raw: ch.raw,
    },
    { event: parsed.event, occurredAt, source: "webhook", webhookEventId: row.id, history: "always" },
  );
  if (parsed.event === "channel_permission_granted") {
    await applyPermission(tx, hub, result.channel, { granted: true, source: "webhook", actor: "system", at: occurredAt, webhookEventId: row.id, history: false });
  }
  if (isCancellationEvent(parsed.event)) {
    const ended = await applyCancellation(tx, hub, result.channel, {
      event: parsed.event,
      occurredAt,
      terminatedAt: ch.terminatedAt,
      statusBefore: statusBefore ?? result.channel.status,
    });
    return { status: "done", effect: ended.effect };
  }
  return { status: "done", effect: `channel ${result.channel.status}` };
}

/** `client_created`: the client row, created or brought up to date. */
async function applyClientEvent(tx: Executor, hub: Hub, _row: WebhookRow, parsed: WebhookEventOf<"client">): Promise<Outcome> {
  const c = parsed.client;
  const result = await storeClient(tx, hub.id, { externalId: c.id, name: c.name, email: c.email, partnerPayload: c.partnerPayload, hubCreatedAt: timeOf(c.raw.created_at), raw: c.raw });
  return { status: "done", effect: result.created ? "client created" : "client updated" };
}

/** A time 360dialog sent as text or as a number. */
const timeOf = (value: unknown): Date | undefined => dateOf(typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined);

/** What lib/webhooks/apply.ts runs for each kind of event this file applies. */
export const channelWebhookAppliers = { channel: applyChannelEvent, client: applyClientEvent };
