import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";

// One schema for PGlite and PostgreSQL. Every row that comes from 360dialog carries its hub: 360dialog ids are
// unique per hub, never global. Secrets are stored only as lib/crypto envelopes (text columns named *_enc).

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();
const hubRef = () =>
  uuid("hub_id")
    .notNull()
    .references(() => hubs.id, { onDelete: "cascade" });

export const userRoles = ["viewer", "operator", "admin"] as const;
export type UserRole = (typeof userRoles)[number];

/** Whether the hub answered, and if not why, in words a partner admin can act on. */
export type HubHealth = { ok: boolean; at: string; source: "test" | "save" | "reconcile"; message: string; reason?: string };
/** One background run started for a hub: queued, finished (what changed) or failed (why). */
export type HubRun = {
  jobId?: string;
  state: "queued" | "running" | "done" | "failed";
  at: string;
  requestedBy?: string;
  summary: string;
  /** Template sync: numbers queued, reported done or failed, templates changed, and the failures' words. */
  total?: number;
  done?: number;
  failed?: number;
  changed?: number;
  errors?: string[];
};
export type HubLastRuns = { reconcile?: HubRun; templateSync?: HubRun };

export const hubs = pgTable(
  "hubs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    partnerId: text("partner_id").notNull(),
    partnerApiBaseUrl: text("partner_api_base_url").notNull(),
    ioBaseUrl: text("io_base_url").notNull(),
    ioVersion: text("io_version", { enum: ["v1", "v2"] }).notNull().default("v1"),
    messagingBaseUrl: text("messaging_base_url").notNull().default("https://waba-v2.360dialog.io"),
    paymentMode: text("payment_mode", { enum: ["partner", "direct"] }).notNull().default("partner"),
    ioSignatureEnabled: boolean("io_signature_enabled").notNull().default(false),
    ioSignatureEncoding: text("io_signature_encoding", { enum: ["hex", "base64"] }).notNull().default("hex"),
    openSignup: boolean("open_signup").notNull().default(false),
    /** Partner API credentials (API key, or username and password for the token flow), encrypted JSON. */
    credentialsEnc: text("credentials_enc"),
    platformSecretEnc: text("platform_secret_enc"),
    /** The secret before the last rotation, accepted for webhooks until previous_secret_expires_at. */
    previousPlatformSecretEnc: text("previous_platform_secret_enc"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    redirectUrl: text("redirect_url"),
    channelWebhookUrl: text("channel_webhook_url"),
    /**
     * The secret header value the portal sets on every managed WABA's webhook (docs/waba-webhook.md §2): those
     * deliveries carry no 360dialog signature, so this is what proves them. Sealed like the platform secret.
     */
    wabaWebhookSecretEnc: text("waba_webhook_secret_enc"),
    /** The WABA webhook secret before the last rotation, accepted until previous_waba_webhook_secret_expires_at. */
    previousWabaWebhookSecretEnc: text("previous_waba_webhook_secret_enc"),
    previousWabaWebhookSecretExpiresAt: timestamp("previous_waba_webhook_secret_expires_at", { withTimezone: true }),
    /** Branding and thresholds (accent colour, logo, stuck-number rules, sync intervals). */
    settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
    isSandbox: boolean("is_sandbox").notNull().default(false),
    /** Set by an admin: no jobs, webhooks refused, data kept; null again on restore (docs/hub-settings.md §6). */
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    /** The last connection test, save check or reconcile: what the Settings badge shows (lib/hub-config/health.ts). */
    health: jsonb("health").$type<HubHealth>(),
    /** The last reconcile and template sync per hub, written by their jobs (lib/hub-config/health.ts). */
    lastRuns: jsonb("last_runs").$type<HubLastRuns>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("hubs_partner_id_uq").on(t.partnerId)],
);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    role: text("role", { enum: userRoles }).notNull().default("viewer"),
    /** argon2id; null until an invited user sets a password. */
    passwordHash: text("password_hash"),
    mustChangePassword: boolean("must_change_password").notNull().default(false),
    /** Bumped on disable, role change and password change: older sessions stop working. */
    sessionVersion: integer("session_version").notNull().default(1),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    inviteTokenHash: text("invite_token_hash"),
    inviteExpiresAt: timestamp("invite_expires_at", { withTimezone: true }),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    createdBy: uuid("created_by"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("users_email_uq").on(t.email),
    uniqueIndex("users_invite_token_uq").on(t.inviteTokenHash),
    index("users_created_idx").on(t.createdAt, t.id),
    check("users_email_lower", sql`${t.email} = lower(${t.email})`),
  ],
);

/** Login throttling that holds across instances: one row per normalised email or client IP. */
export const authThrottle = pgTable("auth_throttle", {
  key: text("key").primaryKey(),
  attempts: integer("attempts").notNull().default(0),
  windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull().defaultNow(),
});

export const invites = pgTable(
  "invites",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    hubId: hubRef(),
    tokenHash: text("token_hash").notNull(),
    label: text("label").notNull().default(""),
    purpose: text("purpose", { enum: ["new_number", "permission"] }).notNull().default("new_number"),
    /** email, name, number, plan_selection, partner payload, lang. */
    prefill: jsonb("prefill").$type<Record<string, string>>().notNull().default({}),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    maxUses: integer("max_uses"),
    useCount: integer("use_count").notNull().default(0),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("invites_token_uq").on(t.tokenHash),
    index("invites_hub_created_idx").on(t.hubId, t.createdAt, t.id),
  ],
);

export const clients = pgTable(
  "clients",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    hubId: hubRef(),
    externalId: text("external_id").notNull(),
    name: text("name").notNull().default(""),
    email: text("email"),
    phone: text("phone"),
    /** The phone's digits alone, for the header search (docs/exports.md §5): formatting never hides a number. */
    phoneDigits: text("phone_digits").generatedAlwaysAs(sql`nullif(regexp_replace(phone, '[^0-9]', '', 'g'), '')`),
    status: text("status"),
    partnerPayload: text("partner_payload"),
    hubCreatedAt: timestamp("hub_created_at", { withTimezone: true }),
    raw: jsonb("raw").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("clients_hub_external_uq").on(t.hubId, t.externalId),
    index("clients_hub_created_idx").on(t.hubId, t.createdAt, t.id),
    index("clients_name_idx").on(sql`lower(${t.name})`, t.id),
    index("clients_email_idx").on(sql`lower(${t.email})`),
    index("clients_phone_idx").on(t.phone),
    // Lists across all hubs (no hub filter) sort and page on these; the search prefixes work under any collation.
    index("clients_created_idx").on(t.createdAt, t.id),
    index("clients_name_prefix_idx").on(sql`lower(${t.name}) text_pattern_ops`),
    index("clients_email_prefix_idx").on(sql`lower(${t.email}) text_pattern_ops`),
    index("clients_external_lower_idx").on(sql`lower(${t.externalId})`),
    // Header search by digits (docs/exports.md §5): a prefix ("4915…") and a suffix ("…5678") each walk a btree.
    index("clients_phone_digits_prefix_idx").on(sql`${t.phoneDigits} text_pattern_ops`),
    index("clients_phone_digits_suffix_idx").on(sql`reverse(${t.phoneDigits}) text_pattern_ops`),
  ],
);

export const onboardingSessions = pgTable(
  "onboarding_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    hubId: hubRef(),
    inviteId: uuid("invite_id").references(() => invites.id, { onDelete: "set null" }),
    method: text("method", {
      enum: ["connect_button", "popup", "direct_link", "embedded_signup", "permission"],
    }).notNull(),
    /** sha256 of the one-time state; the browser binding is a second hash kept in an HttpOnly cookie. */
    stateHash: text("state_hash").notNull(),
    browserBindingHash: text("browser_binding_hash").notNull(),
    statusTokenHash: text("status_token_hash"),
    prefill: jsonb("prefill").$type<Record<string, string>>().notNull().default({}),
    status: text("status", {
      enum: ["started", "redirected", "completed", "failed", "cancelled", "expired"],
    })
      .notNull()
      .default("started"),
    clientId: uuid("client_id").references(() => clients.id, { onDelete: "set null" }),
    clientExternalId: text("client_external_id"),
    channelExternalIds: jsonb("channel_external_ids").$type<string[]>().notNull().default([]),
    revokedExternalIds: jsonb("revoked_external_ids").$type<string[]>().notNull().default([]),
    error: text("error"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    consumedAt: timestamp("consumed_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    /**
     * The first time of each funnel step among the session's onboarding_events, kept by the triggers of
     * drizzle/0013 in the statement that records the event (db/queries/funnel.ts reads them instead of the events).
     */
    firstReturnedAt: timestamp("first_returned_at", { withTimezone: true }),
    firstClientConfirmedAt: timestamp("first_client_confirmed_at", { withTimezone: true }),
    firstChannelCreatedAt: timestamp("first_channel_created_at", { withTimezone: true }),
    firstChannelRunningAt: timestamp("first_channel_running_at", { withTimezone: true }),
    firstKeyStoredAt: timestamp("first_key_stored_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("onboarding_sessions_state_uq").on(t.stateHash),
    uniqueIndex("onboarding_sessions_status_token_uq").on(t.statusTokenHash),
    index("onboarding_sessions_hub_created_idx").on(t.hubId, t.createdAt, t.id),
    // The funnel's sample index (hub, first byte of the id, created_at, INCLUDE the step times) is created by
    // drizzle/0015 alone: drizzle-kit cannot model INCLUDE.
    index("onboarding_sessions_invite_idx").on(t.inviteId),
    index("onboarding_sessions_client_idx").on(t.clientId),
    // A redirect without `state` finds the newest open session of the browser that started it.
    index("onboarding_sessions_binding_idx").on(t.browserBindingHash, t.createdAt),
    // Webhooks and stored keys look up the sessions that list a number (`channel_external_ids @> '["id"]'`).
    index("onboarding_sessions_channel_ids_idx").using("gin", sql`${t.channelExternalIds} jsonb_path_ops`),
    // The sweep that ends abandoned sessions (lib/onboarding/session-events.ts) reads only the open ones.
    index("onboarding_sessions_open_expiry_idx").on(t.expiresAt).where(sql`${t.status} in ('started', 'redirected')`),
  ],
);

/** The funnel: one row per step a session reached (link opened, popup opened, redirect received, …). */
export const onboardingEvents = pgTable(
  "onboarding_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    hubId: hubRef(),
    sessionId: uuid("session_id").references(() => onboardingSessions.id, { onDelete: "cascade" }),
    inviteId: uuid("invite_id").references(() => invites.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("onboarding_events_hub_kind_at_idx").on(t.hubId, t.kind, t.at),
    index("onboarding_events_session_idx").on(t.sessionId, t.at),
    index("onboarding_events_invite_idx").on(t.inviteId, t.at),
  ],
);

export const channels = pgTable(
  "channels",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    hubId: hubRef(),
    clientId: uuid("client_id").references(() => clients.id, { onDelete: "set null" }),
    externalId: text("external_id").notNull(),
    phoneNumber: text("phone_number"),
    /** The number's digits alone, for the header search (docs/exports.md §5). */
    phoneDigits: text("phone_digits").generatedAlwaysAs(sql`nullif(regexp_replace(phone_number, '[^0-9]', '', 'g'), '')`),
    displayName: text("display_name"),
    /** As 360dialog sent it; unknown values are kept verbatim. */
    status: text("status").notNull().default("created"),
    /** Rank of the status in the lifecycle, so a late event never moves a channel backward. */
    statusRank: integer("status_rank").notNull().default(0),
    statusChangedAt: timestamp("status_changed_at", { withTimezone: true }).notNull().defaultNow(),
    lastEventAt: timestamp("last_event_at", { withTimezone: true }),
    permission: text("permission", { enum: ["granted", "revoked", "unknown"] }).notNull().default("unknown"),
    permissionChangedAt: timestamp("permission_changed_at", { withTimezone: true }),
    wabaId: text("waba_id"),
    accountMode: text("account_mode"),
    /** Violations and restrictions reported by 360dialog. */
    flags: jsonb("flags").$type<Record<string, unknown>>().notNull().default({}),
    restricted: boolean("restricted").notNull().default(false),
    /** When the newest violation or restriction was reported (the needs-attention rule's "since"). */
    restrictedAt: timestamp("restricted_at", { withTimezone: true }),
    /**
     * The end of the number (docs/channel-lifecycle.md §1): null while it lives, `requested` after
     * cancellation_request (until revoked), `cancelled` after cancellation_processed. Kept apart from `status`,
     * which stays 360dialog's own string, so a revoke returns to whatever status the number has.
     */
    cancellation: text("cancellation", { enum: ["requested", "cancelled"] }),
    cancellationRequestedAt: timestamp("cancellation_requested_at", { withTimezone: true }),
    /** 360dialog's `terminated_at`: when a requested cancellation takes effect, if it said. */
    terminatesAt: timestamp("terminates_at", { withTimezone: true }),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    /** Meta's quality rating (GREEN, YELLOW, RED…) and messaging limit tier (TIER_1K…), upper-cased as received. */
    qualityRating: text("quality_rating"),
    messagingLimit: text("messaging_limit"),
    /** Whether an api_keys row of this channel is active; kept by a trigger on api_keys (drizzle/0002) for the stuck list. */
    hasActiveKey: boolean("has_active_key").notNull().default(false),
    messagingBaseUrl: text("messaging_base_url"),
    source: text("source", { enum: ["io", "webhook", "reconcile", "manual"] }).notNull().default("webhook"),
    raw: jsonb("raw").$type<Record<string, unknown>>(),
    /** Meta's WABA id (360dialog's `waba_account.external_id`): what Meta's WABA webhook names as `entry[].id`. */
    metaWabaId: text("meta_waba_id").generatedAlwaysAs(sql`raw -> 'waba_account' ->> 'external_id'`),
    /** Whether this number's WABA webhook points at the portal (docs/waba-webhook.md §2): set, failed, or null (not yet). */
    wabaWebhookState: text("waba_webhook_state", { enum: ["set", "failed"] }),
    /** The URL set, or the hub's answer when it failed. */
    wabaWebhookDetail: text("waba_webhook_detail"),
    wabaWebhookAt: timestamp("waba_webhook_at", { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("channels_hub_external_uq").on(t.hubId, t.externalId),
    index("channels_hub_meta_waba_idx").on(t.hubId, t.metaWabaId),
    index("channels_hub_status_idx").on(t.hubId, t.status, t.statusChangedAt, t.id),
    index("channels_hub_created_idx").on(t.hubId, t.createdAt, t.id),
    index("channels_client_idx").on(t.clientId),
    index("channels_phone_idx").on(t.phoneNumber),
    index("channels_status_changed_idx").on(t.status, t.statusChangedAt, t.id),
    index("channels_changed_idx").on(t.statusChangedAt, t.id),
    index("channels_external_idx").on(t.externalId),
    // Header search by digits (docs/exports.md §5): a prefix ("4915…") and a suffix ("…5678") each walk a btree.
    index("channels_phone_digits_prefix_idx").on(sql`${t.phoneDigits} text_pattern_ops`),
    index("channels_phone_digits_suffix_idx").on(sql`reverse(${t.phoneDigits}) text_pattern_ops`),
    // The "other" filter of the channel list: statuses outside KNOWN_CHANNEL_STATUSES (db/queries/channel-list.ts) are rare.
    index("channels_other_status_idx")
      .on(t.statusChangedAt, t.id)
      .where(sql`${t.status} not in ('created', 'unverified', 'submitted', 'verified', 'ready', 'running')`),
    // The stuck-number rules (lib/channels/stuck.ts): each walks only the few rows it can match, oldest first.
    index("channels_stuck_not_running_idx")
      .on(t.hubId, t.createdAt)
      .where(sql`${t.status} in ('created', 'unverified', 'submitted', 'verified', 'ready')`),
    index("channels_stuck_no_key_idx")
      .on(t.hubId, t.statusChangedAt)
      .where(sql`${t.permission} = 'granted' and not ${t.hasActiveKey} and ${t.statusRank} >= 50`),
    index("channels_stuck_no_permission_idx").on(t.hubId, t.createdAt).where(sql`${t.permission} <> 'granted'`),
    // Needs attention (lib/channels/stuck.ts): restricted numbers and numbers in a status the portal does not know.
    index("channels_stuck_restricted_idx").on(t.hubId, t.restrictedAt).where(sql`${t.restricted} and ${t.cancellation} is null`),
    index("channels_stuck_unknown_status_idx")
      .on(t.hubId, t.statusChangedAt)
      .where(sql`${t.status} not in ('created', 'unverified', 'submitted', 'verified', 'ready', 'running', 'live') and ${t.cancellation} is null`),
    // The channel list's filters on the end of life, quality and limit, in its keyset order.
    index("channels_cancellation_idx").on(t.cancellation, t.statusChangedAt, t.id).where(sql`${t.cancellation} is not null`),
    index("channels_quality_idx").on(t.qualityRating, t.statusChangedAt, t.id).where(sql`${t.qualityRating} is not null`),
    index("channels_limit_idx").on(t.messagingLimit, t.statusChangedAt, t.id).where(sql`${t.messagingLimit} is not null`),
  ],
);

/** Channels per hub and status, kept by statement triggers on channels (drizzle/0002): no count(*) over all channels per page. */
export const channelStatusCounts = pgTable(
  "channel_status_counts",
  {
    hubId: hubRef(),
    status: text("status").notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.hubId, t.status] })],
);

/**
 * Sessions created (kind `session_created`) and invite links opened (`link_opened`) per hub and UTC day, kept by
 * statement triggers on onboarding_sessions and onboarding_events (drizzle/0006): the Overview's funnel totals
 * add whole days from here instead of counting every session of the period.
 */
export const onboardingDailyCounts = pgTable(
  "onboarding_daily_counts",
  {
    hubId: hubRef(),
    day: date("day").notNull(),
    kind: text("kind").notNull(),
    n: bigint("n", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.hubId, t.day, t.kind] })],
);

export const channelEvents = pgTable(
  "channel_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    hubId: hubRef(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    event: text("event").notNull(),
    status: text("status"),
    source: text("source").notNull().default("webhook"),
    webhookEventId: uuid("webhook_event_id").references(() => webhookEvents.id, { onDelete: "set null" }),
    data: jsonb("data").$type<Record<string, unknown>>(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
    /** Set when this line came from an operator's replay of its delivery: when, and by whom (docs/exports.md §6). */
    replayedAt: timestamp("replayed_at", { withTimezone: true }),
    replayedBy: text("replayed_by"),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("channel_events_channel_idx").on(t.channelId, t.occurredAt, t.id),
    index("channel_events_hub_at_idx").on(t.hubId, t.occurredAt),
  ],
);

export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    hubId: hubRef(),
    /** Provider id when present, else sha256 of the raw body (360dialog signs no delivery id). */
    dedupKey: text("dedup_key").notNull(),
    event: text("event").notNull().default("unknown"),
    rawBody: text("raw_body").notNull(),
    /** Request headers minus secrets (signature, authorization, cookies). */
    headers: jsonb("headers").$type<Record<string, string>>().notNull().default({}),
    signatureResult: text("signature_result", { enum: ["valid", "valid_previous", "unsigned", "hub_secret"] }).notNull(),
    /** Who sent it: 360dialog's partner webhook, or Meta's WABA webhook through 360dialog (docs/waba-webhook.md). */
    source: text("source", { enum: ["partner", "waba"] }).notNull().default("partner"),
    status: text("status", { enum: ["pending", "processing", "done", "failed", "dead", "ignored", "held"] })
      .notNull()
      .default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    clientExternalId: text("client_external_id"),
    channelExternalId: text("channel_external_id"),
    deliveries: integer("deliveries").notNull().default(1),
    /**
     * Unverified deliveries only (signature_result "unsigned"): what the Partner API said when the confirmation job
     * asked it about the channel or client the delivery names (docs/hub-settings.md §5).
     */
    confirmation: text("confirmation"),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    /** The newest replay by an operator: history lines written while processing it carry this mark (docs/exports.md §6). */
    replayedAt: timestamp("replayed_at", { withTimezone: true }),
    replayedBy: text("replayed_by"),
  },
  (t) => [
    uniqueIndex("webhook_events_dedup_uq").on(t.hubId, t.dedupKey),
    index("webhook_events_hub_received_idx").on(t.hubId, t.receivedAt, t.id),
    index("webhook_events_event_idx").on(t.hubId, t.event, t.receivedAt),
    index("webhook_events_status_idx").on(t.status, t.receivedAt),
    index("webhook_events_channel_idx").on(t.hubId, t.channelExternalId, t.receivedAt),
    index("webhook_events_received_idx").on(t.receivedAt, t.id),
    // Settings counts the unverified deliveries still waiting per hub; the receiver caps them (docs/hub-settings.md §5).
    index("webhook_events_unverified_idx")
      .on(t.hubId, t.receivedAt)
      .where(sql`${t.signatureResult} = 'unsigned' and ${t.status} in ('pending', 'processing', 'failed')`),
  ],
);

export const jobs = pgTable(
  "jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    /** Work that must happen once (one key per channel and grant) claims a unique key here. */
    uniqueKey: text("unique_key"),
    status: text("status", { enum: ["queued", "running", "done", "dead"] }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(8),
    runAt: timestamp("run_at", { withTimezone: true }).notNull().defaultNow(),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lockedBy: text("locked_by"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("jobs_unique_key_uq").on(t.uniqueKey),
    index("jobs_claim_idx").on(t.status, t.runAt),
    index("jobs_kind_idx").on(t.kind, t.createdAt),
  ],
);

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    hubId: hubRef(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    /** The permission grant this key answers; (channel, grant) is claimed once so a retry never makes a second key. */
    grantId: text("grant_id").notNull(),
    keyVersion: integer("key_version").notNull().default(1),
    keyEnc: text("key_enc"),
    last4: text("last4"),
    fingerprint: text("fingerprint"),
    address: text("address"),
    externalId: text("external_id"),
    status: text("status", { enum: ["pending", "active", "revoked", "failed"] }).notNull().default("pending"),
    revealedAt: timestamp("revealed_at", { withTimezone: true }),
    revealedBy: uuid("revealed_by").references(() => users.id, { onDelete: "set null" }),
    /** Set when the one reveal was a claim through the REST API (lib/api/key-claim.ts): which token took it. */
    revealedByToken: uuid("revealed_by_token").references(() => apiTokens.id, { onDelete: "set null" }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** Why it was revoked: `channel_cancelled` when its number was cancelled (docs/channel-lifecycle.md §1). */
    revokedReason: text("revoked_reason"),
  },
  (t) => [
    uniqueIndex("api_keys_channel_grant_uq").on(t.channelId, t.grantId),
    index("api_keys_channel_status_idx").on(t.channelId, t.status),
    index("api_keys_hub_created_idx").on(t.hubId, t.createdAt),
  ],
);

export const templates = pgTable(
  "templates",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    hubId: hubRef(),
    channelId: uuid("channel_id")
      .notNull()
      .references(() => channels.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    language: text("language").notNull(),
    category: text("category").notNull(),
    requestedCategory: text("requested_category"),
    allowCategoryChange: boolean("allow_category_change").notNull().default(false),
    components: jsonb("components").$type<unknown[]>().notNull().default([]),
    /** draft until submitted; afterwards as 360dialog or Meta reports it (unknown values kept verbatim). */
    status: text("status").notNull().default("draft"),
    rejectedReason: text("rejected_reason"),
    externalId: text("external_id"),
    /** Meta's quality score from message_template_quality_update: GREEN, YELLOW, RED, UNKNOWN. */
    qualityScore: text("quality_score"),
    categoryChanged: boolean("category_changed").notNull().default(false),
    /**
     * One logical template resubmitted under a new name (docs/templates-meta.md §2): the new row names the row it
     * replaces, the old row the one that replaced it. A replaced row stays (its name is held at Meta) but leaves
     * the lists and "Recently rejected"; its history is shown with its successor's.
     */
    replacesId: uuid("replaces_id").references((): AnyPgColumn => templates.id, { onDelete: "set null" }),
    replacedById: uuid("replaced_by_id").references((): AnyPgColumn => templates.id, { onDelete: "set null" }),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    lastSyncedAt: timestamp("last_synced_at", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("templates_channel_name_lang_uq").on(t.channelId, t.name, t.language),
    index("templates_hub_status_idx").on(t.hubId, t.status, t.updatedAt, t.id),
    index("templates_hub_updated_idx").on(t.hubId, t.updatedAt, t.id),
    index("templates_hub_category_idx").on(t.hubId, t.category),
    index("templates_hub_language_idx").on(t.hubId, t.language),
    // Rows replaced by a resubmission under a new name (few): taken out of the status counters' numbers.
    index("templates_replaced_idx").on(t.hubId, t.status).where(sql`${t.replacedById} is not null`),
    index("templates_replaces_idx").on(t.replacesId),
    // Template search by name (docs/exports.md §5): names are lower-case by Meta's rule, a prefix walks this btree.
    index("templates_name_prefix_idx").on(sql`lower(${t.name}) text_pattern_ops`),
    // The template list across all hubs (no hub filter), by last change and by status.
    index("templates_updated_idx").on(t.updatedAt, t.id),
    index("templates_status_updated_idx").on(t.status, t.updatedAt, t.id),
    // The Overview's "awaiting review" card (AWAITING_REVIEW in lib/dashboard/overview.ts), longest waiting first.
    index("templates_awaiting_review_idx")
      .on(sql`coalesce(${t.submittedAt}, ${t.createdAt})`, t.id)
      .where(sql`${t.status} in ('submitted', 'SUBMITTED', 'pending', 'PENDING', 'in_appeal', 'IN_APPEAL')`),
  ],
);

/** Templates per hub and status, kept by statement triggers on templates (drizzle/0005), for the list's status tabs. */
export const templateStatusCounts = pgTable(
  "template_status_counts",
  {
    hubId: hubRef(),
    status: text("status").notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.hubId, t.status] })],
);

export const templateEvents = pgTable(
  "template_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    templateId: uuid("template_id")
      .notNull()
      .references(() => templates.id, { onDelete: "cascade" }),
    status: text("status"),
    reason: text("reason"),
    category: text("category"),
    source: text("source", { enum: ["submit", "sync", "webhook", "user"] }).notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** The delivery whose processing wrote this line (a webhook's verdict), and, when that was an operator's replay
     * of it, when and by whom (docs/exports.md §6), as on channel_events. */
    webhookEventId: uuid("webhook_event_id").references(() => webhookEvents.id, { onDelete: "set null" }),
    replayedAt: timestamp("replayed_at", { withTimezone: true }),
    replayedBy: text("replayed_by"),
  },
  (t) => [index("template_events_template_idx").on(t.templateId, t.at, t.id)],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorUserId: uuid("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    /** Who did it, kept even if the user row goes: an email, or "system". */
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type"),
    targetId: text("target_id"),
    hubId: uuid("hub_id").references(() => hubs.id, { onDelete: "set null" }),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    ip: text("ip"),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_action_at_idx").on(t.action, t.at),
    index("audit_log_actor_at_idx").on(t.actorUserId, t.at),
    index("audit_log_target_idx").on(t.targetType, t.targetId),
  ],
);

export const API_TOKEN_SCOPES = ["read", "onboard", "templates", "keys", "webhooks"] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

/**
 * REST API tokens (/api/v1, docs/api.md): only the SHA-256 of the token is stored (the token carries 256 random
 * bits, so a hash lookup is safe without a slow hash). A token acts on behalf of the admin who owns it. The
 * rate_* columns are the token's bucket, updated in the one statement that authenticates a call.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    /** The first characters of the token (`ppt_ab12`), so a list can show which token is which. */
    prefix: text("prefix").notNull(),
    scopes: jsonb("scopes").$type<ApiTokenScope[]>().notNull(),
    /** Null: every hub. */
    hubId: uuid("hub_id").references(() => hubs.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rateTokens: doublePrecision("rate_tokens"),
    rateAt: timestamp("rate_at", { withTimezone: true }),
    rateAllowed: boolean("rate_allowed").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_tokens_hash_uq").on(t.tokenHash), index("api_tokens_created_idx").on(t.createdAt, t.id)],
);

/**
 * The portal's own events (docs/events.md): one row per fact the partner's platform and the staff alerts may hear
 * of, written in the transaction of the change that caused it. `seq` orders them (per subject, for in-order
 * delivery); `resource` is the subject as the REST API returns it, frozen when the event is dispatched.
 */
export const platformEvents = pgTable(
  "platform_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    seq: bigserial("seq", { mode: "number" }).notNull(),
    type: text("type").notNull(),
    /** Null: a portal-wide event (none in the catalogue yet). */
    hubId: uuid("hub_id").references(() => hubs.id, { onDelete: "cascade" }),
    subjectType: text("subject_type").notNull(),
    subjectId: text("subject_id").notNull(),
    /** What changed (e.g. `{ from, to }`); the resource itself is in `resource`. */
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    resource: jsonb("resource").$type<Record<string, unknown>>(),
    /** "Once per occurrence" for facts found by a sweep (a number found stuck): a second emit with the key is a no-op. */
    dedupeKey: text("dedupe_key"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    dispatchedAt: timestamp("dispatched_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("platform_events_seq_uq").on(t.seq),
    uniqueIndex("platform_events_dedupe_uq").on(t.dedupeKey),
    index("platform_events_subject_idx").on(t.subjectType, t.subjectId, t.seq),
    index("platform_events_occurred_idx").on(t.occurredAt, t.seq),
    index("platform_events_hub_type_idx").on(t.hubId, t.type, t.occurredAt),
  ],
);

export type Hub = typeof hubs.$inferSelect;
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type Invite = typeof invites.$inferSelect;
export type Client = typeof clients.$inferSelect;
export type OnboardingSession = typeof onboardingSessions.$inferSelect;
export type OnboardingEvent = typeof onboardingEvents.$inferSelect;
export type Channel = typeof channels.$inferSelect;
export type ChannelEvent = typeof channelEvents.$inferSelect;
export type WebhookEvent = typeof webhookEvents.$inferSelect;
export type Job = typeof jobs.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type Template = typeof templates.$inferSelect;
export type TemplateEvent = typeof templateEvents.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type ApiToken = typeof apiTokens.$inferSelect;

// ---- Staff account security (docs/accounts.md) ----

export const TWO_FACTOR_POLICIES = ["off", "admins", "everyone"] as const;
export type TwoFactorPolicy = (typeof TWO_FACTOR_POLICIES)[number];

/** Portal-wide settings that belong to no hub: one row, id 1. */
export const portalSettings = pgTable(
  "portal_settings",
  {
    id: integer("id").primaryKey().default(1),
    twoFactorPolicy: text("two_factor_policy", { enum: TWO_FACTOR_POLICIES }).notNull().default("off"),
    updatedBy: uuid("updated_by").references(() => users.id, { onDelete: "set null" }),
    updatedAt: updatedAt(),
  },
  (t) => [check("portal_settings_one_row", sql`${t.id} = 1`)],
);

/**
 * A signed-in staff session, referenced by the session JWT (`sid`), so it can be listed and ended: an ended
 * session is refused on its next request (docs/accounts.md §5).
 */
export const staffSessions = pgTable(
  "staff_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** password, password+totp, password+recovery_code, password+passkey, passkey */
    method: text("method").notNull(),
    userAgent: text("user_agent").notNull().default(""),
    ip: text("ip").notNull().default(""),
    /** SHA-256 of the long-lived browser cookie: tells a new browser from a known one. */
    browserHash: text("browser_hash").notNull().default(""),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    endedReason: text("ended_reason"),
  },
  (t) => [index("staff_sessions_user_idx").on(t.userId, t.createdAt), index("staff_sessions_browser_idx").on(t.userId, t.browserHash)],
);

/** A TOTP authenticator: the secret sealed (lib/secrets.ts); effective only once confirmed with a typed code. */
export const userTotp = pgTable("user_totp", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secretEnc: text("secret_enc").notNull(),
  confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
  /** The time step of the last accepted code: a code is accepted once (RFC 6238 §5.2). */
  lastTimeStep: bigint("last_time_step", { mode: "number" }),
  createdAt: createdAt(),
});

/** One-time recovery codes, stored as SHA-256 (each carries ~49 random bits, and guesses are throttled). */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("recovery_codes_hash_uq").on(t.userId, t.codeHash)],
);

/** Passkeys (WebAuthn credentials) of staff users. */
export const passkeys = pgTable(
  "passkeys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** base64url credential id, as the browser reports it. */
    credentialId: text("credential_id").notNull(),
    /** base64url COSE public key. */
    publicKey: text("public_key").notNull(),
    counter: bigint("counter", { mode: "number" }).notNull().default(0),
    transports: jsonb("transports").$type<string[]>().notNull().default([]),
    deviceType: text("device_type").notNull().default("singleDevice"),
    backedUp: boolean("backed_up").notNull().default(false),
    createdAt: createdAt(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("passkeys_credential_uq").on(t.credentialId), index("passkeys_user_idx").on(t.userId)],
);

/**
 * Short-lived, single-use state of a sign-in or ceremony in progress, found by the SHA-256 of a random token
 * kept in an HttpOnly cookie: `second_factor` (password was right, a second factor is due), `passkey_sign_in`,
 * `passkey_register` (WebAuthn challenges).
 */
export const authChallenges = pgTable(
  "auth_challenges",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull(),
    purpose: text("purpose", { enum: ["second_factor", "passkey_sign_in", "passkey_register"] }).notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    /** The WebAuthn challenge (base64url), for the passkey purposes. */
    challenge: text("challenge"),
    failedAttempts: integer("failed_attempts").notNull().default(0),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("auth_challenges_token_uq").on(t.tokenHash), index("auth_challenges_expires_idx").on(t.expiresAt)],
);

/** Forgot-password links: the SHA-256 of the token, 30 minutes, single use (docs/accounts.md §4). */
export const passwordResets = pgTable(
  "password_resets",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("password_resets_token_uq").on(t.tokenHash), index("password_resets_user_idx").on(t.userId)],
);

export type StaffSession = typeof staffSessions.$inferSelect;
export type Passkey = typeof passkeys.$inferSelect;
export type AuthChallenge = typeof authChallenges.$inferSelect;
export type PlatformEvent = typeof platformEvents.$inferSelect;

// ── Staff alerts (docs/alerts.md) ─────────────────────────────────────────────────────────────────────────────

export const ALERT_CONDITIONS = ["number_stuck", "number_restricted", "template_rejected", "delivery_dead", "endpoint_disabled"] as const;
export type AlertCondition = (typeof ALERT_CONDITIONS)[number];

/** A hub's alert rule: which conditions, sent at once or collected into a daily digest, to its destinations. */
export const alertRules = pgTable(
  "alert_rules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    hubId: hubRef(),
    name: text("name").notNull(),
    conditions: jsonb("conditions").$type<AlertCondition[]>().notNull(),
    mode: text("mode", { enum: ["immediate", "digest"] }).notNull().default("immediate"),
    /** The UTC hour from which a digest rule's daily digest goes out. */
    digestHour: integer("digest_hour").notNull().default(7),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("alert_rules_hub_idx").on(t.hubId)],
);

/** Where a rule's alerts go: an email address, or a Slack incoming webhook (its URL is a credential: sealed). */
export const alertDestinations = pgTable(
  "alert_destinations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["email", "slack"] }).notNull(),
    email: text("email"),
    slackUrlEnc: text("slack_url_enc"),
    /** What a list shows: the address, or the webhook's host and last characters. */
    label: text("label").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("alert_destinations_rule_idx").on(t.ruleId)],
);

/** One event matched by one rule: once per (rule, event). A digest rule's alerts wait here for its digest. */
export const alerts = pgTable(
  "alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    hubId: hubRef(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => platformEvents.id, { onDelete: "cascade" }),
    eventType: text("event_type").notNull(),
    title: text("title").notNull(),
    text: text("text").notNull(),
    link: text("link").notNull(),
    /** The UTC day (YYYY-MM-DD) of the digest that carried it; null while waiting (digest rules) or for immediate rules. */
    digestDay: text("digest_day"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("alerts_rule_event_uq").on(t.ruleId, t.eventId), index("alerts_rule_waiting_idx").on(t.ruleId, t.digestDay, t.createdAt)],
);

/** A digest rule's digest of one UTC day: made once (the primary key), whatever its number of alerts. */
export const alertDigests = pgTable(
  "alert_digests",
  {
    ruleId: uuid("rule_id")
      .notNull()
      .references(() => alertRules.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    alertCount: integer("alert_count").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.ruleId, t.day] })],
);

/**
 * Every alert, digest and test sent to one destination: the history list. `uniqueKey` makes each occurrence one
 * delivery per destination. Mail goes through a `mail.send` job (`jobId`), Slack through an `alert.slack` job
 * that writes its outcome here; a test send is sent at once and stored with its outcome.
 */
export const alertDeliveries = pgTable(
  "alert_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    hubId: hubRef(),
    ruleId: uuid("rule_id").references(() => alertRules.id, { onDelete: "set null" }),
    destinationId: uuid("destination_id").references(() => alertDestinations.id, { onDelete: "set null" }),
    alertId: uuid("alert_id").references(() => alerts.id, { onDelete: "set null" }),
    kind: text("kind", { enum: ["alert", "digest", "test"] }).notNull(),
    channel: text("channel", { enum: ["email", "slack"] }).notNull(),
    target: text("target").notNull(),
    subject: text("subject").notNull(),
    /** The text sent (Slack's message as posted; the mail's plain-text part), never a secret. */
    message: text("message").notNull(),
    uniqueKey: text("unique_key").notNull(),
    jobId: uuid("job_id"),
    status: text("status", { enum: ["queued", "retrying", "sent", "failed"] }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("alert_deliveries_key_uq").on(t.uniqueKey), index("alert_deliveries_hub_created_idx").on(t.hubId, t.createdAt)],
);

export type AlertRule = typeof alertRules.$inferSelect;
export type AlertDestination = typeof alertDestinations.$inferSelect;
export type Alert = typeof alerts.$inferSelect;
export type AlertDelivery = typeof alertDeliveries.$inferSelect;
// ---- Outbound webhooks (docs/outbound-webhooks.md) ----

/**
 * The partner platform's endpoints for the portal's events (docs/outbound-webhooks.md §1). The signing secret is
 * sealed (lib/secrets.ts); after a rotation the previous one signs too until `previous_secret_expires_at`, so a
 * receiver can switch without losing a delivery (Standard Webhooks allows several signatures).
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** Null: every public event type, including ones added later. */
    eventTypes: jsonb("event_types").$type<string[] | null>(),
    /** Null: events of every hub. */
    hubId: uuid("hub_id").references(() => hubs.id, { onDelete: "cascade" }),
    enabled: boolean("enabled").notNull().default(true),
    disabledReason: text("disabled_reason"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    secretEnc: text("secret_enc").notNull(),
    previousSecretEnc: text("previous_secret_enc"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true }),
    /** The first failed attempt since the last success: three days of failure disable the endpoint. */
    failingSince: timestamp("failing_since", { withTimezone: true }),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("webhook_endpoints_created_idx").on(t.createdAt, t.id)],
);

/**
 * One event (or test event) for one endpoint: unique per endpoint and event, so a re-run fan-out adds nothing. Its
 * own retry schedule (`next_attempt_at`, up to 3 days) and a short lock so two jobs never post it at once.
 */
export const outboundDeliveries = pgTable(
  "outbound_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    /** Null for a test event, whose body is in `test_body`. */
    eventId: uuid("event_id").references(() => platformEvents.id, { onDelete: "cascade" }),
    /** `webhook-id`: the event's id, or the test event's own. */
    messageId: uuid("message_id").notNull(),
    eventType: text("event_type").notNull(),
    /** Ordering within the endpoint: the event's seq and subject (docs/events.md §1). */
    eventSeq: bigint("event_seq", { mode: "number" }),
    subjectType: text("subject_type"),
    subjectId: text("subject_id"),
    testBody: jsonb("test_body").$type<Record<string, unknown>>(),
    /** pending, delivered, dead. */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** Start of the current retry window (first attempt, or the replay that reopened it). */
    windowStartedAt: timestamp("window_started_at", { withTimezone: true }),
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("outbound_deliveries_endpoint_event_uq").on(t.endpointId, t.eventId),
    index("outbound_deliveries_order_idx").on(t.endpointId, t.subjectType, t.subjectId, t.eventSeq),
    index("outbound_deliveries_log_idx").on(t.endpointId, t.createdAt),
  ],
);

/** Each HTTP attempt of a delivery: the delivery log (docs/outbound-webhooks.md §4). */
export const outboundAttempts = pgTable(
  "outbound_attempts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    deliveryId: uuid("delivery_id")
      .notNull()
      .references(() => outboundDeliveries.id, { onDelete: "cascade" }),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    attemptedAt: timestamp("attempted_at", { withTimezone: true }).notNull().defaultNow(),
    /** The receiver's request id header, when it sent one. */
    requestId: text("request_id"),
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    error: text("error"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
  },
  (t) => [index("outbound_attempts_delivery_idx").on(t.deliveryId, t.id), index("outbound_attempts_endpoint_idx").on(t.endpointId, t.id)],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type OutboundDelivery = typeof outboundDeliveries.$inferSelect;
export type OutboundAttempt = typeof outboundAttempts.$inferSelect;
