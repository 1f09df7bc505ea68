import "server-only";
import { recordChannelProgress } from "../onboarding/funnel";
import { DrizzleQueryError } from "drizzle-orm";
import { upsertClient, type ClientFields } from "@/db/queries/clients";
import { insertChannelEvent } from "@/db/queries/channel-events";
import { deleteChannelByExternalId, findChannelsByPhone, insertChannelIfAbsent, lockChannelByExternalId, updateChannel, type NewChannel } from "@/db/queries/channels";
import { findHubById } from "@/db/queries/hubs";
import { getWebhookEvent, setWebhookEventOutcome } from "@/db/queries/webhook-events";
import type { Executor } from "@/db/client";
import type { Channel, Client, Hub, WebhookEvent as WebhookRow } from "@/db/schema";
import { getDb } from "../db";
import { isAppError } from "../errors";
import { dateOf } from "../dates";
import { isRecord } from "../hub/json";
import { CHANNEL_EVENT_STATUS, parseWebhookBody, progressRank, statusRank, type WebhookEvent } from "../hub/events";
import { publishChange } from "../live/publish";
import { logger } from "../log";
import { enqueueProvisionIfDue, type ChannelDeps } from "./api-keys";
import { applyTemplateWebhook } from "../templates/webhook";
import { applyPermission } from "./permissions";

type Raw = Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : typeof v === "number" ? String(v) : undefined);

export type StatusState = Pick<Channel, "status" | "statusRank" | "lastEventAt">;
export type StatusDecision = { status: string; statusRank: number; moved: boolean };

/**
 * Where an event puts the channel's status (R7). A known status moves forward only, by rank; a lower or equal
 * rank never moves it back. An unknown status string (contract §11.2) is kept verbatim, with the rank of the
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
    // §5.4), so channel_live raises the rank but leaves a running channel "running".
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
 * 360dialog signs no delivery time (F1), and modified_at is the channel's own clock, so two events about one
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
  raw: Raw;
};

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
  const client = snap.client ? await upsertClient({ db: tx, hubId: hub.id, client: snap.client }) : null;
  if (client?.changed) await publishChange(tx, { topic: "client", id: client.client.id, hubId: hub.id });
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
    clientId: client?.client.id ?? current.clientId,
  };
  // Partner payment: the partner may make keys for every number from the start (contract §5.3, sandbox README).
  if (hub.paymentMode === "partner" && current.permission === "unknown") {
    set.permission = "granted";
    set.permissionChangedAt = new Date();
  }
  const changed = inserted || (Object.keys(set) as (keyof typeof set)[]).some((k) => !sameValue(set[k], current[k as keyof Channel]));
  if (decision.moved) set.statusChangedAt = ctx.occurredAt;
  if (fresh) {
    set.lastEventAt = ctx.occurredAt;
    set.raw = snap.raw;
  }
  const channel = changed || fresh ? await updateChannel({ db: tx, id: current.id, set }) : current;

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
  if (changed) await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: channel.clientId ?? undefined });
  await enqueueProvisionIfDue(tx, hub, channel);
  return { channel, client: client?.client ?? null, created: inserted, changed };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}

export type ApplyOutcome = { status: "done" | "ignored" | "missing" | "skipped"; effect: string };

/**
 * Applies one stored webhook event (the `webhook.process` job). All effects, the inbox outcome and the live
 * notices commit in one transaction; on failure the event is marked failed (dead on the last attempt) and the
 * error goes back to the job runner for a retry.
 */
export async function applyWebhookEvent(webhookEventId: string, options: ChannelDeps & { finalAttempt?: boolean } = {}): Promise<ApplyOutcome> {
  const db = options.db ?? (await getDb());
  const row = await getWebhookEvent({ db, id: webhookEventId });
  if (!row) return { status: "missing", effect: "no such webhook event" };
  if (row.status === "done" || row.status === "ignored") return { status: "skipped", effect: `already ${row.status}` };
  try {
    return await db.transaction(async (tx) => {
      const hub = await findHubById({ db: tx, id: row.hubId });
      if (!hub) throw new Error("webhook event of a deleted hub");
      const outcome = await applyParsed(tx, hub, row, parseWebhookBody(row.rawBody));
      await setWebhookEventOutcome({ db: tx, id: row.id, status: outcome.status, lastError: outcome.status === "ignored" ? outcome.effect : null, processedAt: new Date() });
      await publishChange(tx, { topic: "webhook", id: row.id, hubId: hub.id });
      return outcome;
    });
  } catch (error) {
    const message = failureMessage(error);
    await setWebhookEventOutcome({ db, id: row.id, status: options.finalAttempt ? "dead" : "failed", lastError: message });
    logger("channels").warn({ webhookEventId: row.id, event: row.event, err: message }, "webhook event processing failed");
    throw error instanceof DrizzleQueryError ? new Error(message, { cause: error }) : error;
  }
}

/**
 * A failure as it may be stored and shown to staff: drizzle's query errors carry the statement's parameters
 * (phone numbers, payloads), so only the database's own message is kept; NUL and other control characters
 * (which PostgreSQL text refuses) are dropped.
 */
export function failureMessage(error: unknown): string {
  const inner = error instanceof DrizzleQueryError ? error.cause : error;
  const text = isAppError(inner) ? `${inner.code}: ${inner.publicMessage}` : inner instanceof Error ? inner.message : "processing failed";
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "").slice(0, 500) || "processing failed";
}

type Applied = { status: "done" | "ignored"; effect: string };

async function applyParsed(tx: Executor, hub: Hub, row: WebhookRow, parsed: WebhookEvent): Promise<Applied> {
  switch (parsed.kind) {
    case "channel": {
      const ch = parsed.channel;
      const occurredAt = eventTimeOf(ch.raw, row.receivedAt);
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
          raw: ch.raw,
        },
        { event: parsed.event, occurredAt, source: "webhook", webhookEventId: row.id, history: "always" },
      );
      if (parsed.event === "channel_permission_granted") {
        await applyPermission(tx, hub, result.channel, { granted: true, source: "webhook", actor: "system", at: occurredAt, webhookEventId: row.id, history: false });
      }
      // The onboarding funnel follows the number past the redirect: created, then running.
      await recordChannelProgress({ hubId: hub.id, channelExternalId: ch.id, status: result.channel.status }, tx);
      return { status: "done", effect: `channel ${result.channel.status}` };
    }
    case "client": {
      const c = parsed.client;
      const result = await upsertClient({
        db: tx,
        hubId: hub.id,
        client: { externalId: c.id, name: c.name, email: c.email, partnerPayload: c.partnerPayload, hubCreatedAt: dateOf(text(c.raw.created_at)), raw: c.raw },
      });
      if (result.changed) await publishChange(tx, { topic: "client", id: result.client.id, hubId: hub.id });
      return { status: "done", effect: result.created ? "client created" : "client updated" };
    }
    case "account":
      return applyAccountEvent(tx, hub, row, parsed);
    case "template":
      return applyTemplateWebhook(tx, hub, row, parsed);
    case "unknown":
      return { status: "done", effect: `unknown event ${parsed.event}: recorded, no effect` };
    case "invalid":
      return { status: "ignored", effect: parsed.reason };
  }
}

/**
 * A number added by hand without its channel ID (lib/channels/manual.ts) that 360dialog now reports under this
 * partner: the hand-made row takes the real ID instead of a second row appearing, so its stored key (the
 * client's own) stays the number's key and no new one is generated, which would revoke it (F6). Asked only when
 * the snapshot's ID was new (the placeholder row just inserted is dropped), so known numbers pay nothing.
 * Returns whether a hand-made row was adopted.
 */
async function adoptManualChannel(tx: Executor, hub: Hub, snap: ChannelSnapshot): Promise<boolean> {
  if (!snap.phoneNumber) return false;
  const manual = (await findChannelsByPhone({ db: tx, hubId: hub.id, phoneNumbers: phoneVariants(snap.phoneNumber) })).find(
    (c) => c.source === "manual" && c.externalId.startsWith("manual-"),
  );
  if (!manual) return false;
  await deleteChannelByExternalId({ db: tx, hubId: hub.id, externalId: snap.externalId });
  await updateChannel({ db: tx, id: manual.id, set: { externalId: snap.externalId } });
  return true;
}

function phoneVariants(phone: string): string[] {
  const digits = phone.replace(/\D/g, "");
  return [...new Set([phone, digits, `+${digits}`])].filter((p) => p !== "" && p !== "+");
}

// Account events name a channel id or only a phone number (older docs); the restriction lands on that channel.
async function applyAccountEvent(tx: Executor, hub: Hub, row: WebhookRow, ev: Extract<WebhookEvent, { kind: "account" }>): Promise<Applied> {
  const byPhone = !ev.channelId && ev.phoneNumber ? await findChannelsByPhone({ db: tx, hubId: hub.id, phoneNumbers: phoneVariants(ev.phoneNumber) }) : [];
  const externalId = ev.channelId ?? byPhone[0]?.externalId;
  const channel = externalId ? await lockChannelByExternalId({ db: tx, hubId: hub.id, externalId }) : undefined;
  if (!channel) return { status: "ignored", effect: `${ev.event} for a number this portal does not know` };
  const at = eventTimeOf(isRecord(ev.raw.data) ? ev.raw.data : undefined, row.receivedAt);
  const flags = { ...channel.flags, [ev.event]: { type: ev.violationType ?? null, at: at.toISOString() } };
  const updated = await updateChannel({ db: tx, id: channel.id, set: { flags, restricted: true } });
  await insertChannelEvent({
    db: tx,
    event: { hubId: hub.id, channelId: channel.id, event: ev.event, status: channel.status, source: "webhook", webhookEventId: row.id, data: { violationType: ev.violationType ?? null }, occurredAt: at },
  });
  await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: updated.clientId ?? undefined });
  return { status: "done", effect: `channel restricted (${ev.event})` };
}
