import "server-only";
import { insertChannelEvent } from "@/db/queries/channel-events";

import { lockChannelsOfWaba } from "@/db/queries/waba-webhook";
import type { Executor } from "@/db/client";
import type { Channel, Hub, WebhookEvent as WebhookRow } from "@/db/schema";
import type { MetaChange, MetaChangeOf } from "../hub/meta-events";
import { isRecord } from "../hub/json";
import { publishChange } from "../live/publish";
import { signalOf } from "./lifecycle";
import { phoneVariants } from "./phone";
import { recordSignalChanges } from "./signal-history";
import { saveChannel } from "./events";

// Meta's number and account events from the WABA webhook (docs/waba-webhook.md §3): quality rating and messaging
// limit, display-name decisions, account restrictions, violations and bans, alerts and capability changes. Matched
// by the WABA id (entry[].id, channels.meta_waba_id) and, for a number's own event, its display phone number.
// Kept in the channel's flags in the shapes the partner events already use (account-events.ts), and in its history.

type Outcome = { status: "done" | "ignored"; effect: string };
type Change = MetaChange & { field: Exclude<MetaChange["field"], "unknown" | "messages"> };

const digits = (phone: string) => phone.replace(/\D/g, "");

/** The WABA's numbers, narrowed to one when the event names its phone number. */
async function numbersOf(tx: Executor, hub: Hub, change: Change, phone?: string): Promise<Channel[]> {
  if (!change.wabaId) return [];
  const all = await lockChannelsOfWaba({ db: tx, hubId: hub.id, metaWabaId: change.wabaId });
  if (!phone) return all;
  const wanted = new Set(phoneVariants(phone).map(digits));
  return all.filter((c) => c.phoneNumber && wanted.has(digits(c.phoneNumber)));
}

const unknownWaba = (change: Change, what = "WABA"): Outcome => ({ status: "ignored", effect: `${change.field} for a ${what} this portal does not know (${change.wabaId ?? "no WABA id"})` });

/** Newer-wins per flag: an event older than the stored one is history only (deliveries come out of order). */
function isNewer(flag: unknown, at: Date): boolean {
  const previous = isRecord(flag) && typeof flag.at === "string" ? Date.parse(flag.at) : Number.NaN;
  return Number.isNaN(previous) || at.getTime() >= previous;
}

async function record(
  tx: Executor,
  hub: Hub,
  row: WebhookRow,
  channel: Channel,
  change: Change,
  at: Date,
  data: Record<string, unknown>,
  set?: Partial<Pick<Channel, "flags" | "restricted" | "restrictedAt" | "displayName" | "messagingLimit">>,
): Promise<void> {
  const updated = set ? await saveChannel(tx, channel, set) : channel;
  await insertChannelEvent({
    db: tx,
    event: { hubId: hub.id, channelId: channel.id, event: change.field, status: channel.status, source: "waba_webhook", webhookEventId: row.id, data, occurredAt: at },
  });
  await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: updated.clientId ?? undefined });
}

const timeOf = (change: Change, row: WebhookRow) => change.time ?? row.receivedAt;

/** phone_number_quality_update: quality signal in `flags.quality` and the limit tier in `messaging_limit`, like the partner event's. */
async function applyNumberQuality(tx: Executor, hub: Hub, row: WebhookRow, change: MetaChangeOf<"phone_number_quality_update">): Promise<Outcome> {
  const numbers = await numbersOf(tx, hub, change, change.displayPhoneNumber);
  if (numbers.length === 0) return unknownWaba(change, "number");
  const at = timeOf(change, row);
  const signal = { event: change.event ?? null, currentLimit: change.currentLimit ?? null, oldLimit: change.oldLimit ?? null };
  for (const channel of numbers) {
    const newest = isNewer(channel.flags.quality, at);
    const limit = signalOf(change.currentLimit);
    const set = { flags: { ...channel.flags, quality: { ...signal, at: at.toISOString() } }, ...(limit ? { messagingLimit: limit } : {}) };
    await record(tx, hub, row, channel, change, at, signal, newest ? set : undefined);
    if (newest && limit) await recordSignalChanges(tx, hub, channel, { messagingLimit: limit }, { source: "waba_webhook", webhookEventId: row.id, occurredAt: at });
  }
  return { status: "done", effect: [`number ${signal.event ?? "quality update"}`, signal.currentLimit && `limit ${signal.currentLimit}`].filter(Boolean).join(", ") };
}

/** phone_number_name_update: Meta's decision on the display name; an approved name becomes the number's name. */
async function applyNameDecision(tx: Executor, hub: Hub, row: WebhookRow, change: MetaChangeOf<"phone_number_name_update">): Promise<Outcome> {
  const numbers = await numbersOf(tx, hub, change, change.displayPhoneNumber);
  if (numbers.length === 0) return unknownWaba(change, "number");
  const at = timeOf(change, row);
  const decision = change.decision?.toUpperCase() ?? null;
  const data = { decision, requestedName: change.requestedName ?? null, rejectionReason: change.rejectionReason ?? null };
  for (const channel of numbers) {
    const newest = isNewer(channel.flags.display_name, at);
    const set = newest
      ? {
          flags: { ...channel.flags, display_name: { ...data, at: at.toISOString() } },
          ...(decision === "APPROVED" && change.requestedName ? { displayName: change.requestedName.slice(0, 200) } : {}),
        }
      : undefined;
    await record(tx, hub, row, channel, change, at, data, set);
  }
  return { status: "done", effect: `display name ${change.requestedName ?? ""} ${decision?.toLowerCase() ?? "decided"}`.replace(/\s+/g, " ") };
}

/**
 * account_update: restrictions (with their types and end), violations, bans (DISABLE / SCHEDULE_FOR_DISABLE /
 * REINSTATE) and the rest of the account's life (history only). About the whole WABA unless it names a number.
 */
async function applyAccountUpdate(tx: Executor, hub: Hub, row: WebhookRow, change: MetaChangeOf<"account_update">): Promise<Outcome> {
  const numbers = await numbersOf(tx, hub, change, change.phoneNumber);
  if (numbers.length === 0) return unknownWaba(change);
  const at = timeOf(change, row);
  const event = change.event?.toUpperCase() ?? "ACCOUNT_UPDATE";
  const banState = change.banState?.toUpperCase();
  const data = { event, banState: banState ?? null, banDate: change.banDate ?? null, violationType: change.violationType ?? null, restrictions: change.restrictions };
  for (const channel of numbers) {
    const flags = { ...channel.flags };
    let restricted: boolean | undefined;
    if (event === "ACCOUNT_RESTRICTION") {
      // The shape restriction-words.ts reads, as the partner event's applier writes it (account-events.ts).
      const restrictionType = change.restrictions.map((r) => r.type).filter(Boolean).join(", ") || null;
      const expiresAt = change.restrictions.map((r) => r.expiration).find(Boolean) ?? null;
      flags.account_restriction = { type: null, restrictionType, expiresAt, restrictions: change.restrictions, at: at.toISOString() };
      restricted = true;
    } else if (event === "ACCOUNT_VIOLATION") {
      flags.account_violation = { type: change.violationType ?? null, restrictionType: null, expiresAt: null, at: at.toISOString() };
      restricted = true;
    } else if (banState) {
      flags.ban = { state: banState, date: change.banDate ?? null, at: at.toISOString() };
      if (banState === "DISABLE") restricted = true;
      if (banState === "REINSTATE") {
        delete flags.ban;
        restricted = Boolean(flags.account_restriction || flags.account_violation);
      }
    }
    flags.account_update = { event, at: at.toISOString() };
    const newest = channel.restrictedAt === null || at.getTime() >= channel.restrictedAt.getTime();
    const restrictedAt = restricted ? (newest ? at : channel.restrictedAt) : restricted === false ? null : undefined;
    await record(tx, hub, row, channel, change, at, data, { flags, ...(restricted === undefined ? {} : { restricted }), ...(restrictedAt === undefined ? {} : { restrictedAt }) });
  }
  const what = banState ? `ban ${banState.toLowerCase()}` : event.toLowerCase();
  return { status: "done", effect: `account ${what} on ${numbers.length} number(s)` };
}

/** account_alerts: kept as the number's latest alert (messaging-limit eligibility, OBA, profile photo…). */
async function applyAlert(tx: Executor, hub: Hub, row: WebhookRow, change: MetaChangeOf<"account_alerts">): Promise<Outcome> {
  const numbers = await numbersOf(tx, hub, change);
  if (numbers.length === 0) return unknownWaba(change);
  const at = timeOf(change, row);
  const alert = {
    entityType: change.entityType ?? null,
    entityId: change.entityId ?? null,
    severity: change.severity ?? null,
    status: change.status ?? null,
    type: change.alertType ?? null,
    description: change.description ?? null,
  };
  for (const channel of numbers) {
    const set = isNewer(channel.flags.alert, at) ? { flags: { ...channel.flags, alert: { ...alert, at: at.toISOString() } } } : undefined;
    await record(tx, hub, row, channel, change, at, alert, set);
  }
  return { status: "done", effect: `alert ${alert.type ?? ""} (${alert.severity ?? "no severity"})`.replace(/\s+/g, " ") };
}

/** business_capability_update: the business's messaging limit and number limits, on each number of the WABA. */
async function applyCapability(tx: Executor, hub: Hub, row: WebhookRow, change: MetaChangeOf<"business_capability_update">): Promise<Outcome> {
  const numbers = await numbersOf(tx, hub, change);
  if (numbers.length === 0) return unknownWaba(change);
  const at = timeOf(change, row);
  const capability = {
    maxDailyConversations: change.maxDailyConversations ?? null,
    maxPhoneNumbersPerBusiness: change.maxPhoneNumbersPerBusiness ?? null,
    maxPhoneNumbersPerWaba: change.maxPhoneNumbersPerWaba ?? null,
  };
  for (const channel of numbers) {
    const set = isNewer(channel.flags.capability, at) ? { flags: { ...channel.flags, capability: { ...capability, at: at.toISOString() } } } : undefined;
    await record(tx, hub, row, channel, change, at, capability, set);
  }
  return { status: "done", effect: `messaging limit ${capability.maxDailyConversations ?? "?"} per day` };
}

/** What lib/webhooks/apply.ts runs for each Meta field this file applies. */
export const channelMetaAppliers = {
  phone_number_quality_update: applyNumberQuality,
  phone_number_name_update: applyNameDecision,
  account_update: applyAccountUpdate,
  account_alerts: applyAlert,
  business_capability_update: applyCapability,
};
