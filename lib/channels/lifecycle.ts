import "server-only";
import { type ClientFields } from "@/db/queries/client-store";
import { insertChannelEvent } from "@/db/queries/channel-events";
import { insertChannelIfAbsent, lockChannelByExternalId, type NewChannel } from "@/db/queries/channel-store";
import type { Executor } from "@/db/client";
import type { Channel, Client, Hub } from "@/db/schema";
import { dateOf } from "../dates";
import { CHANNEL_EVENT_STATUS, progressRank, statusRank } from "../hub/events";
import { isRecord } from "../hub/json";
import { publishChange } from "../live/publish";
import { adoptManualChannel } from "./adopt-manual";
import { enqueueProvisionIfDue } from "./api-keys";
import { reconcileCancellation } from "./cancellation";
import { emitChannelChanges, saveChannel } from "./events";
import { recordSignalChanges } from "./signal-history";
import { storeClient } from "./store-client";

// A channel's lifecycle: where an event puts its status (decideStatus, docs/security.md R7) and the upsert of what 360dialog
// reports about it (applyChannelSnapshot), shared by webhooks (apply-webhook.ts), reconciliation and onboarding.

type Raw = Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined);

export type StatusState = Pick<Channel, "status" | "statusRank" | "lastEventAt">;
export type StatusDecision = { status: string; statusRank: number; moved: boolean };

/**
 * Where an event puts the channel's status (docs/security.md R7). A known status moves forward only, by rank; a lower or equal
 * rank never moves it back. An unknown status string (docs/hub-contract.md §11.2) is kept verbatim, with the rank of the
 * last known status, but only if the event is at least as new as the last one applied. An older known event
 * arriving after a newer unknown status raises the rank (the progress is proven) but leaves the newer string,
 * so both the status and the rank come out the same whatever the delivery order.
 */
export function decideStatus(current: StatusState, incoming: { event: string; status?: string; occurredAt: Date }): StatusDecision {
  const keep = { status: current.status, statusRank: current.statusRank, moved: false };
  const atLeastAsNew = current.lastEventAt === null || incoming.occurredAt.getTime() >= current.lastEventAt.getTime();
  const rank = progressRank(incoming.event, { status: incoming.status });
  if (rank !== null) {
    const currentKnown = statusRank(current.status) !== null;
    const replaces = currentKnown ? rank > current.statusRank : atLeastAsNew && rank >= current.statusRank;
    if (!replaces) return rank > current.statusRank ? { status: current.status, statusRank: rank, moved: true } : keep;
    // The status string stays 360dialog's own: "live" is an event and an account mode, not a status (contract
    // docs/hub-contract.md §5.4), so channel_live raises the rank but leaves a running channel "running".
    const implied = CHANNEL_EVENT_STATUS[incoming.event];
    const fromEvent = implied === "live" ? "running" : implied;
    const status = statusRank(incoming.status) === rank ? incoming.status!.trim().toLowerCase() : (fromEvent ?? current.status);
    return { status, statusRank: rank, moved: status !== current.status || rank !== current.statusRank };
  }
  if (incoming.status === undefined || !atLeastAsNew || incoming.status === current.status) return keep;
  return { status: incoming.status, statusRank: current.statusRank, moved: true };
}

/**
 * The time an event speaks for: `modified_at`, else `created_at` of its data, else when we received it.
 * 360dialog signs no delivery time (docs/security.md F1), and modified_at is the channel's own clock, so two events about one
 * channel compare on the hub's timeline rather than on delivery order.
 */
export function eventTimeOf(data: unknown, receivedAt: Date): Date {
  if (isRecord(data)) {
    for (const key of ["modified_at", "created_at"]) {
      const at = dateOf(text(data[key]));
      if (at) return at;
    }
  }
  return receivedAt;
}

/** The client summary inside a channel object (`data.client`). */
export function clientOfChannel(raw: Raw, fallbackId: string | undefined): ClientFields | undefined {
  const c = isRecord(raw.client) ? raw.client : {};
  const externalId = text(c.id) ?? fallbackId;
  if (!externalId) return undefined;
  const contact = isRecord(c.contact_info) ? c.contact_info : {};
  return { externalId, name: text(c.name), email: text(contact.email), partnerPayload: text(c.partner_payload) };
}

export type ChannelSnapshot = {
  externalId: string;
  client?: ClientFields;
  status?: string;
  phoneNumber?: string;
  displayName?: string;
  wabaId?: string;
  accountMode?: string;
  /** Meta's quality rating and messaging limit; else read from the channel object's `current_*` fields. */
  qualityRating?: string;
  messagingLimit?: string;
  raw: Raw;
};

/** Quality ratings and limit tiers are compared and filtered upper-cased (GREEN, TIER_1K), whatever the source's case. */
export const signalOf = (value: unknown): string | undefined => text(value)?.trim().toUpperCase().slice(0, 40);

export type SnapshotContext = {
  event: string;
  occurredAt: Date;
  /** How the portal learned it; a channel first seen this way keeps it as its `source`. */
  source: "webhook" | "reconcile" | "io";
  webhookEventId?: string;
  /** "always": every webhook is history; "if_changed": reconciliation records only drift it healed. */
  history: "always" | "if_changed";
};

export type SnapshotResult = { channel: Channel; client: Client | null; created: boolean; changed: boolean };

/** Upserts one channel (and its client) from a webhook or a Partner API listing, in the caller's transaction. */
export async function applyChannelSnapshot(tx: Executor, hub: Hub, snap: ChannelSnapshot, ctx: SnapshotContext): Promise<SnapshotResult> {
  const client = snap.client ? await storeClient(tx, hub.id, snap.client) : null;
  const placeholder = await insertChannelIfAbsent({ db: tx, hubId: hub.id, externalId: snap.externalId, source: ctx.source });
  const inserted = placeholder.inserted && !(await adoptManualChannel(tx, hub, snap));
  const current = await lockChannelByExternalId({ db: tx, hubId: hub.id, externalId: snap.externalId });
  if (!current) throw new Error("applyChannelSnapshot: channel row vanished");

  const decision = decideStatus(current, { event: ctx.event, status: snap.status, occurredAt: ctx.occurredAt });
  const fresh = current.lastEventAt === null || ctx.occurredAt.getTime() >= current.lastEventAt.getTime();
  // Descriptive fields follow the newest event; an older one only fills what is still empty.
  const pick = <T>(incoming: T | undefined, existing: T | null): T | null => (incoming !== undefined && (fresh || existing === null) ? incoming : existing);
  const set: Partial<NewChannel> = {
    status: decision.status,
    statusRank: decision.statusRank,
    phoneNumber: pick(snap.phoneNumber, current.phoneNumber),
    displayName: pick(snap.displayName, current.displayName),
    wabaId: pick(snap.wabaId, current.wabaId),
    accountMode: pick(snap.accountMode, current.accountMode),
    qualityRating: pick(signalOf(snap.qualityRating ?? snap.raw.current_quality_rating), current.qualityRating),
    messagingLimit: pick(signalOf(snap.messagingLimit ?? snap.raw.current_limit), current.messagingLimit),
    clientId: client?.client.id ?? current.clientId,
  };
  // Partner payment: the partner may make keys for every number from the start (docs/hub-contract.md §5.3, sandbox README).
  if (hub.paymentMode === "partner" && current.permission === "unknown") {
    set.permission = "granted";
    set.permissionChangedAt = new Date();
  }
  let changed = inserted || (Object.keys(set) as (keyof typeof set)[]).some((k) => !sameValue(set[k], current[k as keyof Channel]));
  if (decision.moved) set.statusChangedAt = ctx.occurredAt;
  if (fresh) {
    set.lastEventAt = ctx.occurredAt;
    set.raw = snap.raw;
  }
  if (inserted) await emitChannelChanges(tx, null, current);
  let channel = changed || fresh ? await saveChannel(tx, current, set) : current;
  if (ctx.source === "reconcile") {
    const ended = await reconcileCancellation(tx, hub, channel, { raw: snap.raw, occurredAt: ctx.occurredAt, statusBefore: current.status });
    if (ended?.applied) {
      channel = ended.channel;
      changed = true;
    }
  }

  if (ctx.history === "always" || changed) {
    await insertChannelEvent({
      db: tx,
      event: {
        hubId: hub.id,
        channelId: channel.id,
        event: ctx.event,
        status: snap.status ?? CHANNEL_EVENT_STATUS[ctx.event] ?? null,
        source: ctx.source,
        webhookEventId: ctx.webhookEventId,
        data: { applied: decision.moved, statusBefore: current.status, statusAfter: channel.status },
        occurredAt: ctx.occurredAt,
      },
    });
  }
  // Quality and limit changes each get their own history row (docs/channel-lifecycle.md §5).
  await recordSignalChanges(tx, hub, current, { qualityRating: channel.qualityRating, messagingLimit: channel.messagingLimit }, {
    source: ctx.source,
    webhookEventId: ctx.webhookEventId,
    occurredAt: ctx.occurredAt,
  });
  if (changed) await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: channel.clientId ?? undefined });
  await enqueueProvisionIfDue(tx, hub, channel);
  return { channel, client: client?.client ?? null, created: inserted, changed };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}
