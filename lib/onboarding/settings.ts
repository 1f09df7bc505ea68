import "server-only";
import { z } from "zod";
import { findHubById } from "@/db/queries/hubs";
import { setHubOnboardingSettings } from "@/db/queries/onboarding";
import type { Hub } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError, fieldErrorsOf } from "../errors";
import { IO_DEFAULT_LANGS, parseIoLangs } from "../hub/io";
import { LOCALES, type Locale } from "../i18n/locales";
import { LOGO_URL_RULE } from "./logo-rule";

// Per-hub onboarding settings, stored under hubs.settings.onboarding (free-form jsonb). Written strictly by
// the settings form, read leniently: a field that is missing or damaged falls back to its default.

export const META_SDK_URL = "https://connect.facebook.net/en_US/sdk.js";
/** Where Meta's Embedded Signup posts its session messages from (docs/hub-contract.md §7). */
export const META_MESSAGE_ORIGINS = ["https://www.facebook.com", "https://web.facebook.com"] as const;
export const DEFAULT_ACCENT = "#0b6e4c";
export const ES_TIERS = ["basic", "regular", "premium"] as const;

const blank = z.literal("");
const httpUrl = z.url({ protocol: /^https?$/, error: "Enter a full http:// or https:// URL." }).max(500);
// Shown on the client's https pages, where a plain-http image is mixed content; localhost is for development.
const logoUrl = z
  .url({ protocol: /^https?$/, error: `${LOGO_URL_RULE}.` })
  .max(500)
  .refine((v) => v.startsWith("https:") || /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?\//.test(v), `${LOGO_URL_RULE}.`);
const digits = (what: string) => z.string().regex(/^[0-9]{1,32}$/, `${what} is digits only.`);
const trimmed = (v: unknown) => (typeof v === "string" ? v.trim() : v);

export const onboardingSettingsSchema = z.object({
  trigger: z.enum(["connect_button", "popup"]).default("popup"),
  brandName: z.preprocess(trimmed, z.string().max(100, "At most 100 characters.")).default(""),
  logoUrl: z.preprocess(trimmed, z.union([blank, logoUrl])).default(""),
  accentColor: z.preprocess(trimmed, z.string().regex(/^#[0-9a-fA-F]{6}$/, "Use a colour like #0b6e4c.")).default(DEFAULT_ACCENT),
  defaultLang: z.enum(LOCALES).default("en"),
  /**
   * The languages 360dialog's onboarding is known to take as `lang` (docs/i18n.md §5: UNVERIFIED beyond the
   * package's old typing `de | en | pt`); the client's language goes as the closest of these, or not at all.
   */
  ioLangs: z
    .preprocess(trimmed, z.string().max(200, "At most 200 characters."))
    .refine((v) => parseIoLangs(v) !== null, "List language codes separated by commas, like en, de, pt.")
    .default(IO_DEFAULT_LANGS.join(", ")),
  solutionId: z.preprocess(trimmed, z.union([blank, z.string().regex(/^[0-9]{14,18}$/, "A solution ID is 14 to 18 digits.")])).default(""),
  metaAppId: z.preprocess(trimmed, z.union([blank, digits("The Meta app ID")])).default(""),
  configId: z.preprocess(trimmed, z.union([blank, digits("The configuration ID")])).default(""),
  /** Empty = the default for the hub (the sandbox's stand-in for sandbox hubs, Meta's SDK otherwise). */
  sdkUrl: z.preprocess(trimmed, z.union([blank, httpUrl])).default(""),
  /** Empty = not sent (docs/hub-contract.md §7: nullable, values not documented beyond `basic`). */
  esTier: z.union([blank, z.enum(ES_TIERS)]).default(""),
});

export type StoredOnboardingSettings = z.output<typeof onboardingSettingsSchema>;

export type OnboardingSettings = StoredOnboardingSettings & {
  /** What the pages use: the stored values with the hub's defaults filled in. */
  effective: {
    brandName: string;
    sdkUrl: string;
    /** Origins whose `message` events the Embedded Signup page may accept. */
    sdkMessageOrigins: string[];
    embeddedSignupReady: boolean;
  };
};

const defaults = onboardingSettingsSchema.parse({});

/** Reads what is stored field by field; damaged fields fall back to their defaults. */
export function readStoredOnboardingSettings(settings: Record<string, unknown> | null | undefined): StoredOnboardingSettings {
  const raw = settings?.onboarding;
  const source = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(onboardingSettingsSchema.shape)) {
    const parsed = (field as z.ZodType).safeParse(source[key]);
    out[key] = parsed.success ? parsed.data : defaults[key as keyof StoredOnboardingSettings];
  }
  return out as StoredOnboardingSettings;
}

function defaultSdkUrl(hub: Pick<Hub, "isSandbox" | "partnerApiBaseUrl">): string {
  // A sandbox hub's Partner API base is the sandbox itself, which also serves the Meta SDK stand-in.
  return hub.isSandbox ? `${hub.partnerApiBaseUrl.replace(/\/+$/, "")}/meta/sdk.js` : META_SDK_URL;
}

export function getOnboardingSettings(hub: Pick<Hub, "name" | "settings" | "isSandbox" | "partnerApiBaseUrl">): OnboardingSettings {
  const stored = readStoredOnboardingSettings(hub.settings);
  const sdkUrl = stored.sdkUrl || defaultSdkUrl(hub);
  const sdkMessageOrigins = sdkUrl === META_SDK_URL ? [...META_MESSAGE_ORIGINS] : [new URL(sdkUrl).origin];
  return {
    ...stored,
    effective: {
      brandName: stored.brandName || hub.name,
      sdkUrl,
      sdkMessageOrigins,
      embeddedSignupReady: Boolean(stored.solutionId && stored.metaAppId && stored.configId),
    },
  };
}

/** What the Embedded Signup page needs to load Meta's SDK and launch FB.login: ids and URLs only, no secret. */
export type EmbeddedSignupSdk = {
  appId: string;
  configId: string;
  solutionId: string;
  sdkUrl: string;
  /** Accept `message` events from exactly these origins (the sandbox's stand-in posts from its own). */
  messageOrigins: string[];
  /** FB.login extras.sessionInfoVersion (docs/hub-contract.md §7). */
  sessionInfoVersion: "3";
};

/** Meta's locale for its SDK (https://developers.facebook.com/docs/javascript/internationalization, docs/i18n.md §5). */
const META_SDK_LOCALES: Record<Locale, string> = { en: "en_US", de: "de_DE", es: "es_LA", "pt-BR": "pt_BR" };

export function embeddedSignupSdk(settings: OnboardingSettings, locale: Locale = "en"): EmbeddedSignupSdk | null {
  if (!settings.effective.embeddedSignupReady) return null;
  // Meta's own SDK in the client's language; a configured or sandbox URL is used as it is.
  const sdkUrl = settings.effective.sdkUrl === META_SDK_URL ? META_SDK_URL.replace("/en_US/", `/${META_SDK_LOCALES[locale]}/`) : settings.effective.sdkUrl;
  return {
    appId: settings.metaAppId,
    configId: settings.configId,
    solutionId: settings.solutionId,
    sdkUrl,
    messageOrigins: settings.effective.sdkMessageOrigins,
    sessionInfoVersion: "3",
  };
}

/** Admin only (the caller checks the role): validates, stores and audits which fields changed. */
export async function saveOnboardingSettings(actor: Actor, hubId: string, input: unknown): Promise<StoredOnboardingSettings> {
  const parsed = onboardingSettingsSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError("invalid:onboarding_settings", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsOf(parsed.error.issues) });
  }
  const db = await getDb();
  return db.transaction(async (tx) => {
    const hub = await findHubById({ db: tx, id: hubId });
    if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
    const before = readStoredOnboardingSettings(hub.settings);
    await setHubOnboardingSettings({ db: tx, hubId, onboarding: parsed.data });
    const changed = (Object.keys(parsed.data) as (keyof StoredOnboardingSettings)[]).filter((k) => before[k] !== parsed.data[k]);
    await audit(tx, { actor, action: "onboarding.settings_updated", targetType: "hub", targetId: hubId, hubId, detail: { changed } });
    return parsed.data;
  });
}
