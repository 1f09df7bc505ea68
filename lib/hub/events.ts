import { createHash } from "node:crypto";
import { z } from "zod";
import { isRecord } from "./json";
import { metaEventName, parseMetaWebhook, type MetaChange } from "./meta-events";

// Partner webhook payloads `{ id?, event, data }` (docs/hub-contract.md §4.4-4.5). Read leniently (§11.2-11.3):
// events and statuses are open sets, every field is optional except the id a kind needs, a field of the
// wrong type is dropped rather than failing the event, and `raw` keeps the object exactly as received.

type Raw = Record<string, unknown>;

const MAX_ID_CHARS = 256;
const finite = z.number().refine(Number.isFinite);
const text = z.union([z.string(), finite.transform(String)]);
const optText = text
  .transform((s) => (s === "" ? undefined : s))
  .optional()
  .catch(undefined);
const id = text.pipe(z.string().regex(/\S/).max(MAX_ID_CHARS));
const optId = id.optional().catch(undefined);
const withId = z.looseObject({ id: optId }).optional().catch(undefined);
const phone = z.looseObject({ phone_number: optText, phone_name: optText }).optional().catch(undefined);

const envelopeSchema = z.looseObject({ id: optId, event: z.string().regex(/\S/), data: z.unknown().optional() });

const channelSchema = z.looseObject({
  id,
  client_id: optId,
  client: withId,
  status: optText,
  account_mode: optText,
  created_at: optText,
  phone_number: optText,
  phone_name: optText,
  setup_info: phone,
  waba_account: withId,
  waba_account_id: optId,
  terminated_at: optText,
  current_limit: optText,
  current_quality_rating: optText,
});

const clientSchema = z.looseObject({
  id,
  name: optText,
  email: optText,
  partner_payload: optText,
  contact_info: z.looseObject({ email: optText }).optional().catch(undefined),
});

const accountSchema = z.looseObject({
  phone_number: optText,
  violation_type: optText,
  channel_id: optId,
  // Meta's account_update spelling, in case 360dialog passes it on as is (docs/channel-lifecycle.md §2).
  violation_info: z.looseObject({ violation_type: optText }).optional().catch(undefined),
  restriction_type: optText,
  restriction_info: z.array(z.looseObject({ restriction_type: optText, expiration: optText })).optional().catch(undefined),
});

// Meta's WABA webhook field `phone_number_quality_update` (its `value`); `event` is FLAGGED, UNFLAGGED, UPGRADE,
// DOWNGRADE… and the limits are tiers like TIER_1K.
const qualitySchema = z.looseObject({
  display_phone_number: optText,
  phone_number: optText,
  event: optText,
  current_limit: optText,
  old_limit: optText,
  channel_id: optId,
});

const templateSchema = z.looseObject({
  id: optId,
  template_id: optId,
  name: optText,
  template_name: optText,
  language: optText,
  category: optText,
  status: optText,
  rejected_reason: optText,
  reason: optText,
  channel_id: optId,
  waba_account_id: optId,
  waba_account: withId,
  // Meta's message_template_status_update value, should 360dialog forward it in its envelope (docs/waba-webhook.md §4).
  message_template_id: optId,
  message_template_name: optText,
  message_template_language: optText,
  message_template_category: optText,
  event: optText,
});

export type ChannelEventData = {
  id: string;
  clientId?: string;
  status?: string;
  phoneNumber?: string;
  phoneName?: string;
  accountMode?: string;
  wabaAccountId?: string;
  createdAt?: string;
  /** When a requested cancellation takes effect (`terminated_at`, docs/channel-lifecycle.md §1). */
  terminatedAt?: string;
  /** Meta's messaging limit tier and quality rating as the channel object carries them (`current_limit`, `current_quality_rating`). */
  messagingLimit?: string;
  qualityRating?: string;
  /** `data` as received. */
  raw: Raw;
};

export type ClientEventData = { id: string; name?: string; email?: string; partnerPayload?: string; raw: Raw };

export type AccountEventName = "account_violation" | "account_restriction";
export type TemplateChange = "status" | "messaging_enabled" | "messaging_disabled";

export type WebhookEvent =
  | { kind: "channel"; event: string; eventId?: string; channel: ChannelEventData }
  | { kind: "client"; event: "client_created"; eventId?: string; client: ClientEventData }
  | {
      kind: "account";
      event: AccountEventName;
      eventId?: string;
      phoneNumber?: string;
      violationType?: string;
      /** Meta's restriction type (RESTRICTED_BIZ_INITIATED_MESSAGING…) and its end, when the event names them. */
      restrictionType?: string;
      restrictionExpiresAt?: string;
      channelId?: string;
      /** The whole body as received: where these fields live is not documented. */
      raw: Raw;
    }
  | {
      kind: "template";
      event: string;
      eventId?: string;
      change: TemplateChange;
      templateId?: string;
      templateName?: string;
      language?: string;
      category?: string;
      status?: string;
      reason?: string;
      channelId?: string;
      wabaAccountId?: string;
      raw: Raw;
    }
  | {
      kind: "quality";
      event: "phone_number_quality_update";
      eventId?: string;
      channelId?: string;
      phoneNumber?: string;
      /** Meta's word for the change: FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE… */
      qualityEvent?: string;
      currentLimit?: string;
      oldLimit?: string;
      raw: Raw;
    }
  | {
      /** A body in Meta's WABA webhook shape (lib/hub/meta-events.ts): the WABA webhook, or one forwarded as is. */
      kind: "meta";
      event: string;
      eventId?: string;
      changes: MetaChange[];
      raw: Raw;
    }
  | { kind: "unknown"; event: string; eventId?: string; reason?: string; raw: Raw }
  | { kind: "invalid"; reason: string };

export type WebhookKind = WebhookEvent["kind"];
/** One kind's events, as an applier of that kind receives them (lib/webhooks/apply.ts). */
export type WebhookEventOf<K extends WebhookKind> = Extract<WebhookEvent, { kind: K }>;

export const CHANNEL_EVENTS = [
  "channel_created",
  "channel_submitted",
  "channel_ready",
  "channel_running",
  "channel_live",
  "channel_permission_granted",
] as const;

/**
 * The end of a number (docs/channel-lifecycle.md §1): named by the .NET client's event enum, the payload being
 * the channel like the lifecycle events. Classified as channel events so one applier keeps the whole life.
 */
export const CANCELLATION_EVENTS = ["cancellation_request", "cancellation_revoke", "cancellation_processed"] as const;
export type CancellationEvent = (typeof CANCELLATION_EVENTS)[number];
export function isCancellationEvent(event: string): event is CancellationEvent {
  return (CANCELLATION_EVENTS as readonly string[]).includes(event);
}

/** Known lifecycle statuses and their order; anything else is kept verbatim and ranks null. */
export const CHANNEL_STATUS_RANK = {
  created: 10,
  unverified: 20,
  submitted: 20,
  verified: 30,
  ready: 40,
  running: 50,
  live: 60,
} as const satisfies Record<string, number>;

export type ChannelStatus = keyof typeof CHANNEL_STATUS_RANK;
export const CHANNEL_STATUSES = Object.keys(CHANNEL_STATUS_RANK) as ChannelStatus[];

/** The status a lifecycle event implies by its name alone. */
export const CHANNEL_EVENT_STATUS: Readonly<Record<string, ChannelStatus>> = {
  channel_created: "created",
  channel_submitted: "submitted",
  channel_ready: "ready",
  channel_running: "running",
  channel_live: "live",
};

export function statusRank(status: string | null | undefined): number | null {
  if (typeof status !== "string") return null;
  const key = status.trim().toLowerCase();
  return Object.hasOwn(CHANNEL_STATUS_RANK, key) ? CHANNEL_STATUS_RANK[key as ChannelStatus] : null;
}

/** The rank from which a number counts as running: keys may be made, the funnel counts it, the client reads so. */
export const RUNNING_RANK = CHANNEL_STATUS_RANK.running;

/**
 * Whether a channel's status says the number is running. Decided by rank, so "live" (and any later status added
 * to the table) counts too; an unknown status never does.
 */
export function isRunning(channel: { status?: string | null }): boolean {
  return (statusRank(channel.status) ?? 0) >= RUNNING_RANK;
}

/**
 * The furthest lifecycle point a channel event proves: its `status` and the status its name implies. Not
 * `account_mode: live`: that is the account's mode from channel_created on (docs/hub-contract.md §4.5). Null if none is known.
 */
export function progressRank(event: string, channel: Pick<ChannelEventData, "status">): number | null {
  const ranks = [
    statusRank(channel.status),
    statusRank(Object.hasOwn(CHANNEL_EVENT_STATUS, event) ? CHANNEL_EVENT_STATUS[event] : undefined),
  ].filter((rank): rank is number => rank !== null);
  return ranks.length ? Math.max(...ranks) : null;
}


// UNVERIFIED wire name of "Template Status Changed": the likely name and anything that reads like it.
function isTemplateStatusEvent(event: string): boolean {
  const lower = event.toLowerCase();
  return lower === "waba_template_status_changed" || (lower.includes("template") && lower.includes("status"));
}

function channelEvent(event: string, eventId: string | undefined, data: unknown, body: Raw): WebhookEvent {
  const parsed = channelSchema.safeParse(data);
  if (!parsed.success || !isRecord(data)) return { kind: "unknown", event, eventId, reason: "channel event without data.id", raw: body };
  const d = parsed.data;
  return {
    kind: "channel",
    event,
    eventId,
    channel: {
      id: d.id,
      clientId: d.client_id ?? d.client?.id,
      status: d.status,
      phoneNumber: d.setup_info?.phone_number ?? d.phone_number,
      phoneName: d.setup_info?.phone_name ?? d.phone_name,
      accountMode: d.account_mode,
      wabaAccountId: d.waba_account?.id ?? d.waba_account_id,
      createdAt: d.created_at,
      terminatedAt: d.terminated_at,
      messagingLimit: d.current_limit,
      qualityRating: d.current_quality_rating,
      raw: data,
    },
  };
}

// UNVERIFIED client_created payload: receivers read `data.client`; a flat client in `data` is accepted too.
function clientEvent(eventId: string | undefined, data: unknown, body: Raw): WebhookEvent {
  const source = isRecord(data) && isRecord(data.client) ? data.client : data;
  const parsed = clientSchema.safeParse(source);
  if (!parsed.success || !isRecord(source)) {
    return { kind: "unknown", event: "client_created", eventId, reason: "client_created without data.client.id", raw: body };
  }
  const c = parsed.data;
  const client: ClientEventData = { id: c.id, name: c.name, email: c.contact_info?.email ?? c.email, partnerPayload: c.partner_payload, raw: source };
  return { kind: "client", event: "client_created", eventId, client };
}

// Older docs only name `phone_number` and `violation_type`; look in `data` first, then the envelope.
function accountEvent(event: AccountEventName, eventId: string | undefined, data: unknown, body: Raw): WebhookEvent {
  const inner = accountSchema.safeParse(isRecord(data) ? data : {});
  const outer = accountSchema.safeParse(body);
  const a = inner.success ? inner.data : {};
  const b = outer.success ? outer.data : {};
  return {
    kind: "account",
    event,
    eventId,
    phoneNumber: a.phone_number ?? b.phone_number,
    violationType: a.violation_type ?? a.violation_info?.violation_type ?? b.violation_type ?? b.violation_info?.violation_type,
    restrictionType: a.restriction_type ?? a.restriction_info?.[0]?.restriction_type ?? b.restriction_type ?? b.restriction_info?.[0]?.restriction_type,
    restrictionExpiresAt: a.restriction_info?.[0]?.expiration ?? b.restriction_info?.[0]?.expiration,
    channelId: a.channel_id ?? b.channel_id,
    raw: body,
  };
}

// UNVERIFIED: how 360dialog forwards Meta's phone_number_quality_update to a partner. Read as the envelope's
// `data` being Meta's change value (or a whole change, `{ field, value }`), then the envelope itself.
function qualityEvent(eventId: string | undefined, data: unknown, body: Raw): WebhookEvent {
  const value = isRecord(data) && isRecord(data.value) ? data.value : data;
  const inner = qualitySchema.safeParse(isRecord(value) ? value : {});
  const outer = qualitySchema.safeParse(body);
  const q = inner.success ? inner.data : {};
  const b = outer.success ? outer.data : {};
  return {
    kind: "quality",
    event: "phone_number_quality_update",
    eventId,
    channelId: q.channel_id ?? b.channel_id,
    phoneNumber: q.display_phone_number ?? q.phone_number ?? b.display_phone_number ?? b.phone_number,
    qualityEvent: q.event,
    currentLimit: q.current_limit,
    oldLimit: q.old_limit,
    raw: body,
  };
}

// UNVERIFIED payloads of template events; for template_messaging_* `data` is taken to be the channel.
function templateEvent(event: string, eventId: string | undefined, change: TemplateChange, data: unknown, body: Raw): WebhookEvent {
  // `data` may also be one Meta change, `{ field, value }` (docs/waba-webhook.md §4): its value is read then.
  const source = isRecord(data) && isRecord(data.value) ? data.value : data;
  const parsed = templateSchema.safeParse(isRecord(source) ? source : {});
  const t = parsed.success ? parsed.data : {};
  const messaging = change !== "status";
  return {
    kind: "template",
    event,
    eventId,
    change,
    templateId: messaging ? t.template_id : (t.template_id ?? t.message_template_id ?? t.id),
    templateName: t.template_name ?? t.message_template_name ?? t.name,
    language: t.language ?? t.message_template_language,
    category: t.category ?? t.message_template_category,
    status: t.status ?? (messaging ? undefined : t.event),
    reason: t.rejected_reason ?? t.reason,
    channelId: t.channel_id ?? (messaging ? t.id : undefined),
    wabaAccountId: t.waba_account?.id ?? t.waba_account_id,
    raw: body,
  };
}

/** Classifies a parsed JSON body; never throws. Unknown events are kept so they can be stored and acknowledged. */
export function parseWebhookEvent(json: unknown): WebhookEvent {
  if (!isRecord(json)) return { kind: "invalid", reason: "body is not a JSON object" };
  const meta = parseMetaWebhook(json);
  if (meta) return { kind: "meta", event: metaEventName(meta), changes: meta.changes, raw: json };
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { kind: "invalid", reason: "body has no string event" };
  const { event, id: eventId, data } = envelope.data;
  // A whole Meta WABA webhook body inside 360dialog's envelope is read as Meta's (docs/waba-webhook.md §4).
  const inner = parseMetaWebhook(data);
  if (inner) return { kind: "meta", event: metaEventName(inner), eventId, changes: inner.changes, raw: json };

  if (event === "client_created") return clientEvent(eventId, data, json);
  if (event === "account_violation" || event === "account_restriction") return accountEvent(event, eventId, data, json);
  if (event === "phone_number_quality_update") return qualityEvent(eventId, data, json);
  if (event === "template_messaging_enabled") return templateEvent(event, eventId, "messaging_enabled", data, json);
  if (event === "template_messaging_disabled") return templateEvent(event, eventId, "messaging_disabled", data, json);
  if (isTemplateStatusEvent(event)) return templateEvent(event, eventId, "status", data, json);
  if (event.startsWith("channel_") || isCancellationEvent(event)) return channelEvent(event, eventId, data, json);
  return { kind: "unknown", event, eventId, raw: json };
}

/** JSON.parse of the verified raw body, then parseWebhookEvent; never throws. */
export function parseWebhookBody(rawBody: Uint8Array | string): WebhookEvent {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === "string" ? rawBody : new TextDecoder().decode(rawBody));
  } catch {
    return { kind: "invalid", reason: "body is not JSON" };
  }
  return parseWebhookEvent(json);
}

/** The 360dialog ids an event names, stored on its inbox row so staff can find a number's or a client's deliveries. */
export function externalIdsOf(parsed: WebhookEvent): { clientId?: string; channelId?: string } {
  switch (parsed.kind) {
    case "channel":
      return { clientId: parsed.channel.clientId, channelId: parsed.channel.id };
    case "client":
      return { clientId: parsed.client.id };
    case "account":
    case "template":
    case "quality":
      return { channelId: parsed.channelId };
    default:
      return {};
  }
}

/**
 * Inbox dedup key (docs/security.md R5): the body's top-level `id` when present, else the SHA-256 of the raw bytes.
 * UNVERIFIED: whether `id` is unique per event (open question 3).
 */
export function dedupKeyFor(rawBody: Uint8Array | string, parsed: WebhookEvent): string {
  if (parsed.kind !== "invalid" && parsed.eventId !== undefined) return `id:${parsed.eventId}`;
  return `sha256:${createHash("sha256").update(rawBody).digest("hex")}`;
}
