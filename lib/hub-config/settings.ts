import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { findHubById, findHubByPartnerId, insertHub, insertHubIfAbsent, listHubs, updateHub, type NewHub } from "@/db/queries/hubs";
import type { Hub } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { forgetCachedHubs } from "./cache";
import { IO_BASE_V1, IO_BASE_V2, PARTNER_API_BASE, MESSAGING_API_BASE } from "./defaults";
import { openHubCredentials, openPlatformSecret, sealHubCredentials, sealPlatformSecret, type HubCredentials } from "./secrets";

// Overlap during which webhooks signed with the previous platform secret are still accepted (F7).
const SECRET_ROTATION_OVERLAP_DAYS = 7;

const url = z.url("Enter a full URL, starting with https:// (or http:// for a local hub).").max(500);
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const hubSettingsSchema = z
  .object({
    hubId: z.preprocess(blankToUndefined, z.uuid().optional()),
    name: z.string().trim().min(1, "Give the hub a name.").max(100),
    partnerId: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, "Partner IDs are letters and digits, like abc123PA."),
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
    channelWebhookUrl: z.preprocess(blankToUndefined, url.optional()),
    stuckNotRunningHours: z.coerce.number("Enter a number of hours.").int().min(1).max(24 * 90).default(48),
    stuckNoKeyMinutes: z.coerce.number("Enter a number of minutes.").int().min(1).max(24 * 60).default(15),
    stuckNoPermissionHours: z.coerce.number("Enter a number of hours.").int().min(1).max(24 * 90).default(24),
    templateSyncMinutes: z.coerce.number("Enter a number of minutes.").int().min(0, "0 turns the schedule off.").max(24 * 60).default(15),
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
};

function summarise(hub: Hub): HubSummary {
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
    rotationUntil: previousPlatformSecretEnc && hub.previousSecretExpiresAt && hub.previousSecretExpiresAt > new Date() ? hub.previousSecretExpiresAt : null,
  };
}

export async function listHubSummaries(): Promise<HubSummary[]> {
  return (await listHubs({ db: await getDb() })).map(summarise);
}

export async function getHubSummary(id: string): Promise<HubSummary | null> {
  const hub = await findHubById({ db: await getDb(), id });
  return hub ? summarise(hub) : null;
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
      templates: { syncIntervalMinutes: input.templateSyncMinutes },
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
          ...(input.apiKey || input.password ? { credentials: "replaced" } : {}),
          ...(input.platformSecret ? { platformSecret: rotated ? "rotated" : "set" } : {}),
        },
      },
    );
    return hub;
  });
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
export async function listHubBadges(): Promise<{ id: string; name: string; isSandbox: boolean }[]> {
  return (await listHubs({ db: await getDb() })).map((h) => ({ id: h.id, name: h.name, isSandbox: h.isSandbox }));
}
