import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { findHubById, findHubByPartnerId, insertHub, insertHubIfAbsent, updateHub, type NewHub } from "@/db/queries/hubs";
import { notifyJobsChannel } from "@/db/queries/jobs";
import { countHeldWebhookEvents, releaseHeldWebhookEvents, unverifiedSummaries, type UnverifiedSummary } from "@/db/queries/webhook-events";
import type { Hub } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { WEBHOOK_JOB_KEY_PREFIX, WEBHOOK_PROCESS_JOB } from "../jobs/kinds";
import { forgetCachedHubs } from "./cache";
import { listHubsOfThisRender } from "./render-hubs";
import { portalUrlsFor } from "./connection";
import { WABA_SECRET_IN } from "./waba-webhook-settings";
import { TEMPLATE_EDIT_ADDRESSES } from "./template-edit";
import { hubBadge } from "./health";
import { IO_BASE_V1, IO_BASE_V2, PARTNER_API_BASE, MESSAGING_API_BASE } from "./defaults";
import { openHubCredentials, openPlatformSecret, sealHubCredentials, sealPlatformSecret, type HubCredentials } from "./secrets";

// Overlap during which webhooks signed with the previous platform secret are still accepted (docs/security.md F7).
const SECRET_ROTATION_OVERLAP_DAYS = 7;

/**
 * Hosts that may be reached over plain http: this machine only (the sandbox hub, a local stand-in). Anything
 * else carries the partner's API key and must be https (docs/hub-settings.md §6).
 */
const LOOPBACK = /^(localhost|[a-z0-9-]+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export type UrlRules = { kind: "base" | "webhook" };

/** Why a URL typed into the hub form cannot be used, or null when it can. */
export function urlProblem(value: string, { kind }: UrlRules): string | null {
  const v = value.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) {
    if (/^(javascript|data|vbscript|file):/i.test(v)) return "Only https:// addresses are allowed here.";
    return "Enter a full address starting with https:// (http:// only for a hub on this machine), e.g. https://hub.360dialog.io.";
  }
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    return "This is not a valid address.";
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return `Only https:// addresses are allowed here, not ${parsed.protocol}//.`;
  if (parsed.protocol === "http:" && !LOOPBACK.test(parsed.hostname)) {
    return `Use https://: plain http:// is only allowed for a hub on this machine (localhost), since the address receives your ${kind === "base" ? "Partner API key" : "clients' messages"}.`;
  }
  if (!parsed.hostname) return "The address needs a host name.";
  if (parsed.username || parsed.password) return "Leave out user name and password: credentials go in their own fields.";
  if (parsed.hash) return "Leave out the #fragment.";
  if (kind === "base" && parsed.search) return "A base address takes no ?query.";
  if (kind === "base" && /\/api\/v2\/?$/.test(parsed.pathname)) return "Leave out /api/v2: the portal adds it (e.g. https://hub.360dialog.io).";
  return null;
}

const checkedUrl = (kind: UrlRules["kind"]) =>
  z
    .string()
    .trim()
    .min(1, "Required.")
    .max(500, "At most 500 characters.")
    .superRefine((v, ctx) => {
      const problem = urlProblem(v, { kind });
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    // Stored without a trailing slash: lib/hub joins paths to it.
    .transform((v) => (kind === "base" ? v.replace(/\/+$/, "") : v));
const url = checkedUrl("base");

/** 360dialog partner ids end in "PA" (docs/hub-settings.md §6: "identified by its PA suffix"). */
export const PARTNER_ID_PATTERN = /^[A-Za-z0-9]{1,62}PA$/;
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

/** A whole number in a range; every refusal names the range, so 99999999 is told what is allowed. */
function wholeNumber(unit: "minutes" | "hours", min: number, max: number, note = "") {
  const range = `Enter a whole number of ${unit} from ${min} to ${max}${note}.`;
  return z.coerce.number(range).int(range).min(min, range).max(max, range);
}

export const hubSettingsSchema = z
  .object({
    hubId: z.preprocess(blankToUndefined, z.uuid().optional()),
    name: z.string().trim().min(1, "Give the hub a name.").max(100),
    partnerId: z.string().trim().regex(PARTNER_ID_PATTERN, "A partner ID is letters and digits ending in PA, like f167CmPA (Partner Hub → Integration)."),
    partnerApiBaseUrl: url,
    ioBaseUrl: url,
    ioVersion: z.enum(["v1", "v2"]),
    messagingBaseUrl: url,
    paymentMode: z.enum(["partner", "direct"], "Choose who pays 360dialog."),
    ioSignature: z.enum(["off", "hex", "base64"]),
    openSignup: z.preprocess((v) => v === "on" || v === "true", z.boolean()),
    authKind: z.enum(["api_key", "token"]),
    apiKey: z.preprocess(blankToUndefined, z.string().trim().max(500).optional()),
    username: z.preprocess(blankToUndefined, z.string().trim().max(320).optional()),
    password: z.preprocess(blankToUndefined, z.string().max(500).optional()),
    platformSecret: z.preprocess(blankToUndefined, z.string().trim().min(8, "The platform secret looks too short.").max(500).optional()),
    channelWebhookUrl: z.preprocess(blankToUndefined, checkedUrl("webhook").optional()),
    /** Ticked to save a partner ID change, which changes the webhook URL 360dialog must call. */
    confirmWebhookUrlChange: z.preprocess((v) => v === "on" || v === "true", z.boolean()).default(false),
    stuckNotRunningHours: wholeNumber("hours", 1, 24 * 90).default(48),
    stuckNoKeyMinutes: wholeNumber("minutes", 1, 24 * 60).default(15),
    stuckNoPermissionHours: wholeNumber("hours", 1, 24 * 90).default(24),
    templateSyncMinutes: wholeNumber("minutes", 0, 24 * 60, " (0 turns the schedule off)").default(15),
    /** Where a rejected or paused template is edited in place (docs/templates-meta.md §2.2). */
    templateEditAddress: z.enum(TEMPLATE_EDIT_ADDRESSES, "Choose how templates are edited.").default("messaging_patch"),
    /** Where the WABA webhook's secret travels (docs/waba-webhook.md §2.1). */
    wabaSecretIn: z.enum(WABA_SECRET_IN, "Choose where the WABA webhook secret travels.").default("url"),
  })
  .superRefine((v, ctx) => {
    if (v.authKind === "token" && Boolean(v.username) !== Boolean(v.password)) {
      ctx.addIssue({ code: "custom", path: [v.username ? "password" : "username"], message: "Enter both username and password." });
    }
  });

export type HubSettingsInput = z.infer<typeof hubSettingsSchema>;

/** What settings pages may show of a hub: never a secret, only whether one is stored. */
export type HubSummary = Omit<Hub, "credentialsEnc" | "platformSecretEnc" | "previousPlatformSecretEnc" | "wabaWebhookSecretEnc" | "previousWabaWebhookSecretEnc"> & {
  authKind: HubCredentials["kind"] | null;
  hasPlatformSecret: boolean;
  /** Whether the WABA webhook secret header exists yet (made with the hub's first key, docs/waba-webhook.md §2). */
  hasWabaWebhookSecret: boolean;
  rotationUntil: Date | null;
  /** Deliveries stored while the hub was archived, applied when it is restored (docs/hub-settings.md §6.6). */
  held: number;
  /** Partner deliveries stored unverified and still waiting for their Partner API confirmation (docs/hub-settings.md §5). */
  unverified: { waiting: number; why: string; lastError: string | null; oldestAt: Date | null } | null;
};

function summarise(hub: Hub, unverified: UnverifiedSummary | undefined, held = 0): HubSummary {
  const { credentialsEnc: _c, platformSecretEnc, previousPlatformSecretEnc, wabaWebhookSecretEnc, previousWabaWebhookSecretEnc: _w, ...rest } = hub;
  let authKind: HubCredentials["kind"] | null = null;
  try {
    authKind = openHubCredentials(hub)?.kind ?? null;
  } catch {
    authKind = null; // unreadable with the current key ring: shown as "not stored"
  }
  return {
    ...rest,
    authKind,
    hasPlatformSecret: Boolean(platformSecretEnc),
    hasWabaWebhookSecret: Boolean(wabaWebhookSecretEnc),
    held,
    rotationUntil: previousPlatformSecretEnc && hub.previousSecretExpiresAt && hub.previousSecretExpiresAt > new Date() ? hub.previousSecretExpiresAt : null,
    unverified: unverified && unverified.waiting > 0 ? { ...unverified, why: unverifiedWhy(hub, authKind !== null) } : null,
  };
}

/** Why deliveries of this hub arrive unverified, and whether they can be confirmed at all. */
function unverifiedWhy(hub: Hub, hasCredentials: boolean): string {
  const why = hub.platformSecretEnc
    ? "They arrived before the platform secret was saved."
    : "No platform secret saved: 360dialog's signatures cannot be checked, so each delivery is confirmed with the Partner API instead of being believed.";
  return hasCredentials ? why : `${why} No Partner API credentials are stored either, so they cannot be confirmed yet.`;
}

export async function listHubSummaries(): Promise<HubSummary[]> {
  const db = await getDb();
  const [hubs, unverified, held] = await Promise.all([listHubsOfThisRender(), unverifiedSummaries({ db }), countHeldWebhookEvents({ db })]);
  return hubs.map((h) => summarise(h, unverified.find((u) => u.hubId === h.id), held.find((c) => c.hubId === h.id)?.n ?? 0));
}

/** The hubs as the Overview's checklist reads them: without the unverified and held webhook counts it does not show. */
export async function listHubSummariesWithoutCounts(): Promise<HubSummary[]> {
  return (await listHubsOfThisRender()).map((h) => summarise(h, undefined));
}

export async function getHubSummary(id: string): Promise<HubSummary | null> {
  const hub = await findHubById({ db: await getDb(), id });
  return hub ? summarise(hub, undefined) : null;
}

function credentialsFrom(input: HubSettingsInput, existing: HubCredentials | null): HubCredentials | null {
  if (input.authKind === "api_key") {
    if (input.apiKey) return { kind: "api_key", apiKey: input.apiKey };
    return existing?.kind === "api_key" ? existing : null;
  }
  if (input.username && input.password) return { kind: "token", username: input.username, password: input.password };
  return existing?.kind === "token" ? existing : null;
}

/** Creates or updates a hub. Blank secret fields keep what is stored; a new platform secret starts a rotation overlap. */
export async function saveHubSettings(actor: Actor, input: HubSettingsInput): Promise<Hub> {
  const db = await getDb();
  const existing = input.hubId ? await findHubById({ db, id: input.hubId }) : undefined;
  if (input.hubId && !existing) throw new AppError("not_found:hub", "That hub no longer exists.");
  const clash = await findHubByPartnerId({ db, partnerId: input.partnerId });
  if (clash && clash.id !== existing?.id) {
    throw new AppError("conflict:hub", "Another hub already uses this partner ID.", { fieldErrors: { partnerId: ["Already configured."] } });
  }
  if (existing && existing.partnerId !== input.partnerId && !input.confirmWebhookUrlChange) {
    const from = portalUrlsFor(existing).webhookUrl;
    const to = portalUrlsFor({ partnerId: input.partnerId }).webhookUrl;
    throw new AppError("conflict:hub_webhook_url", `Saving changes this hub's webhook URL from ${from} to ${to}. Nothing was saved.`, {
      fieldErrors: {
        confirmWebhookUrlChange: [
          `360dialog keeps calling ${from} until you register the new URL (Register webhook and redirect URLs); deliveries to the old one are refused meanwhile. Tick this box to save anyway.`,
        ],
      },
    });
  }
  const hubId = existing?.id ?? randomUUID();
  const credentials = credentialsFrom(input, existing ? openHubCredentials(existing) : null);
  if (!credentials) {
    const field = input.authKind === "api_key" ? "apiKey" : "username";
    throw new AppError("invalid:hub", "Enter the Partner API credentials.", { fieldErrors: { [field]: ["Required."] } });
  }
  const fields: Partial<NewHub> = {
    name: input.name,
    partnerId: input.partnerId,
    partnerApiBaseUrl: input.partnerApiBaseUrl,
    ioBaseUrl: input.ioBaseUrl,
    ioVersion: input.ioVersion,
    messagingBaseUrl: input.messagingBaseUrl,
    paymentMode: input.paymentMode,
    ioSignatureEnabled: input.ioSignature !== "off",
    ioSignatureEncoding: input.ioSignature === "base64" ? "base64" : "hex",
    openSignup: input.openSignup,
    channelWebhookUrl: input.channelWebhookUrl ?? null,
    credentialsEnc: sealHubCredentials(hubId, credentials),
    settings: {
      ...(existing?.settings ?? {}),
      stuck: { notRunningHours: input.stuckNotRunningHours, noKeyMinutes: input.stuckNoKeyMinutes, noPermissionHours: input.stuckNoPermissionHours },
      templates: { ...templatesOf(existing), syncIntervalMinutes: input.templateSyncMinutes, editAddress: input.templateEditAddress },
      wabaWebhook: { secretIn: input.wabaSecretIn },
    },
  };
  const rotated = Boolean(input.platformSecret && existing?.platformSecretEnc);
  if (input.platformSecret) {
    fields.platformSecretEnc = sealPlatformSecret(hubId, input.platformSecret);
    if (existing?.platformSecretEnc) {
      const previous = openPlatformSecret(existing);
      if (previous && previous !== input.platformSecret) {
        fields.previousPlatformSecretEnc = sealPlatformSecret(hubId, previous, "previous");
        fields.previousSecretExpiresAt = new Date(Date.now() + SECRET_ROTATION_OVERLAP_DAYS * 86_400_000);
      }
    }
  }
  const changed = Object.keys(fields).filter(
    (k) => !k.endsWith("Enc") && JSON.stringify(existing?.[k as keyof Hub]) !== JSON.stringify(fields[k as keyof NewHub]),
  );
  return db.transaction(async (tx) => {
    const hub = existing
      ? await updateHub({ db: tx, id: hubId, set: fields })
      : await insertHub({ db: tx, hub: { ...(fields as NewHub), id: hubId } });
    if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
    forgetCachedHubs();
    await audit(
      tx,
      {
        actor,
        action: existing ? "hub.updated" : "hub.created",
        targetType: "hub",
        targetId: hub.id,
        hubId: hub.id,
        detail: {
          partnerId: hub.partnerId,
          changed,
          ...(existing && existing.partnerId !== hub.partnerId
            ? { webhookUrl: { from: portalUrlsFor(existing).webhookUrl, to: portalUrlsFor(hub).webhookUrl } }
            : {}),
          ...(input.apiKey || input.password ? { credentials: "replaced" } : {}),
          ...(input.platformSecret ? { platformSecret: rotated ? "rotated" : "set" } : {}),
        },
      },
    );
    return hub;
  });
}

/** The hub's stored template settings, kept on save beside the fields the form changes. */
function templatesOf(hub: Hub | undefined): Record<string, unknown> {
  const raw = (hub?.settings as Record<string, unknown> | undefined)?.templates;
  return raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {};
}

export function defaultBases(version: "v1" | "v2") {
  return { partnerApiBaseUrl: PARTNER_API_BASE, ioBaseUrl: version === "v2" ? IO_BASE_V2 : IO_BASE_V1, messagingBaseUrl: MESSAGING_API_BASE };
}

/** Development and tests: a hub pointing at the local sandbox, seeded like the sandbox's default partner. */
export async function ensureSandboxHub(sandboxUrl: string): Promise<Hub> {
  const db = await getDb();
  const id = randomUUID();
  return insertHubIfAbsent({
    db,
    hub: {
      id,
      name: "Sandbox",
      partnerId: SANDBOX_PARTNER.id,
      partnerApiBaseUrl: sandboxUrl,
      ioBaseUrl: `${sandboxUrl}/dashboard/app`,
      messagingBaseUrl: sandboxUrl,
      paymentMode: "partner",
      openSignup: true,
      isSandbox: true,
      credentialsEnc: sealHubCredentials(id, { kind: "api_key", apiKey: SANDBOX_PARTNER.apiKey }),
      platformSecretEnc: sealPlatformSecret(id, SANDBOX_PARTNER.platformSecret),
    },
  });
}

/** The sandbox's default partner (sandbox/README.md); these are not secrets, the sandbox publishes them. */
export const SANDBOX_PARTNER = { id: "sandboxPA", apiKey: "sandbox-partner-key", platformSecret: "sandbox-platform-secret" } as const;

export async function bootstrapHubFromEnv(env: {
  HUB_PARTNER_ID?: string;
  HUB_NAME?: string;
  HUB_API_KEY?: string;
  HUB_USERNAME?: string;
  HUB_PASSWORD?: string;
  HUB_PLATFORM_SECRET?: string;
  HUB_PAYMENT_MODE: "partner" | "direct";
  HUB_IO_SIGNATURE: "off" | "hex" | "base64";
  HUB_IO_VERSION: "v1" | "v2";
  HUB_PARTNER_API_URL?: string;
  HUB_IO_URL?: string;
  HUB_MESSAGING_URL?: string;
}): Promise<Hub | null> {
  if (!env.HUB_PARTNER_ID) return null;
  const db = await getDb();
  const existing = await findHubByPartnerId({ db, partnerId: env.HUB_PARTNER_ID });
  if (existing) return existing;
  const id = randomUUID();
  const bases = defaultBases(env.HUB_IO_VERSION);
  const credentials: HubCredentials = env.HUB_API_KEY
    ? { kind: "api_key", apiKey: env.HUB_API_KEY }
    : { kind: "token", username: env.HUB_USERNAME ?? "", password: env.HUB_PASSWORD ?? "" };
  const hub = await insertHubIfAbsent({
    db,
    hub: {
      id,
      name: env.HUB_NAME ?? `Hub ${env.HUB_PARTNER_ID}`,
      partnerId: env.HUB_PARTNER_ID,
      partnerApiBaseUrl: env.HUB_PARTNER_API_URL ?? bases.partnerApiBaseUrl,
      ioBaseUrl: env.HUB_IO_URL ?? bases.ioBaseUrl,
      ioVersion: env.HUB_IO_VERSION,
      messagingBaseUrl: env.HUB_MESSAGING_URL ?? bases.messagingBaseUrl,
      paymentMode: env.HUB_PAYMENT_MODE,
      ioSignatureEnabled: env.HUB_IO_SIGNATURE !== "off",
      ioSignatureEncoding: env.HUB_IO_SIGNATURE === "base64" ? "base64" : "hex",
      credentialsEnc: sealHubCredentials(id, credentials),
      platformSecretEnc: env.HUB_PLATFORM_SECRET ? sealPlatformSecret(id, env.HUB_PLATFORM_SECRET) : null,
    },
  });
  await audit(db, { actor: "system", action: "hub.bootstrapped", targetType: "hub", targetId: hub.id, hubId: hub.id, detail: { partnerId: hub.partnerId } });
  return hub;
}

/** For the dashboard header: which hubs are sandbox and which are live. */
export async function listHubBadges(): Promise<{ id: string; name: string; isSandbox: boolean; badge: ReturnType<typeof hubBadge> }[]> {
  return (await listHubsOfThisRender()).map((h) => ({ id: h.id, name: h.name, isSandbox: h.isSandbox, badge: hubBadge(h) }));
}

/**
 * Archives or restores a hub (admins; docs/hub-settings.md §6). Archived: its webhooks are answered 410, no
 * reconcile or template sync is queued for it, no sign-up starts on it; every row it owns is kept, and restoring
 * undoes all of it. Audited either way.
 */
export async function setHubArchived(actor: Actor, hubId: string, archived: boolean): Promise<Hub> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const hub = await findHubById({ db: tx, id: hubId });
    if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
    if (Boolean(hub.archivedAt) === archived) return hub;
    const updated = await updateHub({ db: tx, id: hubId, set: { archivedAt: archived ? new Date() : null } });
    if (!updated) throw new AppError("not_found:hub", "That hub no longer exists.");
    forgetCachedHubs();
    // What arrived while archived was stored and held (docs/hub-settings.md §6.6): restoring applies it now.
    const released = archived
      ? 0
      : await releaseHeldWebhookEvents({ db: tx, hubId, jobKind: WEBHOOK_PROCESS_JOB, jobKeyPrefix: WEBHOOK_JOB_KEY_PREFIX, discriminator: new Date().toISOString() });
    if (released > 0) await notifyJobsChannel({ db: tx, kind: WEBHOOK_PROCESS_JOB });
    await audit(tx, {
      actor,
      action: archived ? "hub.archived" : "hub.restored",
      targetType: "hub",
      targetId: hub.id,
      hubId: hub.id,
      detail: { partnerId: hub.partnerId, name: hub.name, ...(archived ? {} : { heldDeliveriesReleased: released }) },
    });
    return updated;
  });
}
