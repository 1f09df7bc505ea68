import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { generateKeySpec, parseKeyring } from "./keyring";

// The one reader of process.env. Everything else asks getEnv(). No "server-only" import here: the custom
// server and the CLIs load it before Next.js does; node:fs keeps it out of any client bundle anyway.

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().default(".data"),
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  PGLITE_DIR: optionalString,
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DB_CONNECT_TIMEOUT_S: z.coerce.number().int().min(1).max(60).default(2),
  NEXTAUTH_SECRET: optionalString,
  NEXTAUTH_URL: optionalString.pipe(z.string().url().optional()),
  APP_ENCRYPTION_KEY: optionalString,
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SESSION_MAX_AGE_HOURS: z.coerce.number().min(0.05).max(8).default(8),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  LOGIN_IP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Onboarding starts (each makes a one-time state and maybe an IO Signature) per client IP per 15 minutes. */
  ONBOARDING_STARTS_PER_IP: z.coerce.number().int().min(1).max(100_000).default(20),
  /**
   * How much earlier than the start of a sign-up 360dialog's `created_at` of the client or number it produced may
   * read and still count as made by that sign-up (the two clocks differ). See docs/onboarding-redirect.md.
   */
  ONBOARDING_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  /** REST API (/api/v1) token bucket per token: refill per minute and bucket size (docs/api.md "Rate limit"). */
  API_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  API_RATE_BURST: z.coerce.number().int().min(1).max(100_000).default(60),
  /** auto: the local sandbox hub runs beside `npm run dev` when no live hub comes from HUB_* variables. */
  SANDBOX: z.enum(["auto", "on", "off"]).default("auto"),
  SANDBOX_PORT: z.coerce.number().int().min(1).max(65535).default(8082),
  SANDBOX_URL: optionalString.pipe(z.string().url().optional()),
  /** Bootstrap of a live hub from the environment (inserted once; the settings page owns it afterwards). */
  HUB_NAME: optionalString,
  HUB_PARTNER_ID: optionalString.pipe(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a 360dialog partner id").optional()),
  HUB_API_KEY: optionalString,
  HUB_USERNAME: optionalString,
  HUB_PASSWORD: optionalString,
  HUB_PLATFORM_SECRET: optionalString,
  HUB_PAYMENT_MODE: z.enum(["partner", "direct"]).default("partner"),
  HUB_IO_SIGNATURE: z.enum(["off", "hex", "base64"]).default("off"),
  HUB_IO_VERSION: z.enum(["v1", "v2"]).default("v1"),
  HUB_PARTNER_API_URL: optionalString.pipe(z.string().url().optional()),
  HUB_IO_URL: optionalString.pipe(z.string().url().optional()),
  HUB_MESSAGING_URL: optionalString.pipe(z.string().url().optional()),
  /** The durable job runner: in the portal process by default; `npm run worker` runs it alone. */
  JOBS_IN_PROCESS: z
    .enum(["true", "false", "1", "0"])
    .default("true")
    .transform((v) => v === "true" || v === "1"),
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  JOBS_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  JOBS_LEASE_SECONDS: z.coerce.number().int().min(5).max(3_600).default(60),
  RECONCILE_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(24 * 60).default(15),
  /** Webhook bodies above this are refused with 413 before any hashing (docs/security.md R2). */
  WEBHOOK_MAX_BYTES: z.coerce.number().int().min(1_024).max(10 * 1024 * 1024).default(256 * 1024),
  /** How long a webhook or onboarding body may take to arrive before the request is answered 408 and closed. */
  BODY_READ_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /**
   * How long an idle kept-alive connection stays open. Above the idle timeout of whatever pools connections to the
   * portal (AWS ALB and nginx's upstream keepalive: 60 s), so the proxy, never the portal, closes an idle one; a
   * proxy that reuses a connection the portal has just closed answers its client 502 (README "Behind a reverse proxy").
   */
  HTTP_KEEP_ALIVE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(65),
  /**
   * Outgoing mail (docs/mail.md): `smtp://user:pass@host:587` (STARTTLS when the server offers it) or
   * `smtps://…:465`. Unset: the portal sends no mail and says so where mail would go.
   */
  SMTP_URL: optionalString.pipe(
    z
      .string()
      .url()
      .refine((v) => /^smtps?:\/\//i.test(v), "must start with smtp:// or smtps://")
      .optional(),
  ),
  /** The From of every mail the portal sends, e.g. `Acme portal <portal@acme.example>`. */
  MAIL_FROM: z.string().trim().min(3).default("Partner portal <portal@localhost>"),
  /**
   * Staff alerts (docs/alerts.md §3): Slack destinations must be https://hooks.slack.com/… unless this is true, which
   * allows any http(s) URL: a local receiver in tests and development, not meant for a production portal.
   */
  ALERTS_SLACK_ANY_URL: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /**
   * Outbound webhooks (docs/outbound-webhooks.md §2): `1` lets endpoints point at loopback, private, link-local
   * and unique-local addresses (a partner's receiver in its own network; tests). Off: refused at save and at delivery.
   */
  OUTBOUND_ALLOW_PRIVATE: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /** `1`: outbound endpoints may use plain http:// also in production (local test receivers; never for real endpoints). */
  OUTBOUND_ALLOW_HTTP: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  /** One outbound delivery's whole request and answer (Standard Webhooks recommends 15 to 30 s). */
  OUTBOUND_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(15_000),
  /** End-to-end tests only (e2e/global-setup.ts): the folder through which lib/live/test-gate.ts holds live streams. */
  E2E_LIVE_GATE_DIR: optionalString,
  /** Set by Next.js itself; during `next build` nothing may open the database. */
  NEXT_PHASE: optionalString,
  // ---- staff account security (docs/accounts.md) ----
  /** The least two-factor policy: admins can make it stricter in the dashboard, never weaker than this. */
  TWO_FACTOR_POLICY: z.enum(["off", "admins", "everyone"]).default("off"),
  /** Forgot-password requests per email per LOGIN_WINDOW_MINUTES (the per-IP limit is LOGIN_IP_MAX_ATTEMPTS). */
  PASSWORD_RESET_MAX_PER_EMAIL: z.coerce.number().int().min(1).max(100).default(3),
});

export type Env = Omit<z.infer<typeof schema>, "NEXTAUTH_SECRET" | "APP_ENCRYPTION_KEY" | "PGLITE_DIR"> & {
  NEXTAUTH_SECRET: string;
  APP_ENCRYPTION_KEY: string;
  PGLITE_DIR: string;
  /** Which database the portal talks to. */
  dbDriver: "pglite" | "postgres";
  /** Whether this process uses the local sandbox hub, and where it is. */
  sandboxEnabled: boolean;
  sandboxUrl: string;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

type DevSecrets = { NEXTAUTH_SECRET?: string; APP_ENCRYPTION_KEY?: string };

// Development only: secrets made once and kept in DATA_DIR (git-ignored) so sessions and encrypted rows survive restarts.
function loadOrCreateDevSecrets(dataDir: string, missing: (keyof DevSecrets)[]): DevSecrets {
  const file = path.join(dataDir, "secrets.json");
  let stored: DevSecrets = {};
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, "utf8")) as DevSecrets;
  const created: string[] = [];
  for (const name of missing) {
    if (stored[name]) continue;
    stored[name] = name === "NEXTAUTH_SECRET" ? randomBytes(32).toString("base64url") : generateKeySpec("k1");
    created.push(name);
  }
  if (created.length > 0) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
    console.info(`[env] generated ${created.join(" and ")} for development into ${file} (set them in the environment for production)`);
  }
  return stored;
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const raw = parsed.data;
  const production = raw.NODE_ENV === "production";
  const missing = (["NEXTAUTH_SECRET", "APP_ENCRYPTION_KEY"] as const).filter((k) => !raw[k]);
  if (raw.HUB_PARTNER_ID && !raw.HUB_API_KEY && !(raw.HUB_USERNAME && raw.HUB_PASSWORD)) {
    throw new ConfigError("HUB_PARTNER_ID is set but neither HUB_API_KEY nor HUB_USERNAME and HUB_PASSWORD are.");
  }
  if (missing.length > 0 && production) {
    throw new ConfigError(
      `Missing required configuration: ${missing.join(", ")}. Set ${missing.length > 1 ? "them" : "it"} in the environment (see README, Configuration).`,
    );
  }
  const dev = missing.length > 0 ? loadOrCreateDevSecrets(raw.DATA_DIR, [...missing]) : {};
  const nextauthSecret = raw.NEXTAUTH_SECRET ?? dev.NEXTAUTH_SECRET ?? "";
  if (nextauthSecret.length < 32) {
    throw new ConfigError("NEXTAUTH_SECRET must be at least 32 characters (try: openssl rand -base64 32).");
  }
  const encryptionKey = raw.APP_ENCRYPTION_KEY ?? dev.APP_ENCRYPTION_KEY ?? "";
  try {
    parseKeyring(encryptionKey);
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : "APP_ENCRYPTION_KEY is invalid");
  }
  return {
    ...raw,
    NEXTAUTH_SECRET: nextauthSecret,
    APP_ENCRYPTION_KEY: encryptionKey,
    PGLITE_DIR: raw.PGLITE_DIR ?? path.join(raw.DATA_DIR, "pglite"),
    dbDriver: raw.DATABASE_URL ? "postgres" : "pglite",
    sandboxEnabled: raw.SANDBOX === "on" || (raw.SANDBOX === "auto" && !production && !raw.HUB_PARTNER_ID),
    sandboxUrl: (raw.SANDBOX_URL ?? `http://localhost:${raw.SANDBOX_PORT}`).replace(/\/+$/, ""),
  };
}

let cached: Env | undefined;

/**
 * next-auth reads NEXTAUTH_URL from the environment itself; the custom server calls this once at start so a
 * portal on another PORT still builds its own URLs (default http://localhost:PORT).
 */
export function exportLibraryEnv(env: Env): void {
  if (!env.NEXTAUTH_URL) {
    process.env.NEXTAUTH_URL = `http://localhost:${env.PORT}`;
    if (env.NODE_ENV === "production") {
      console.warn(`[env] NEXTAUTH_URL is not set: using ${process.env.NEXTAUTH_URL}; set it to the portal's public URL.`);
    }
  }
}

export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests only: forget the parsed environment so the next getEnv() reads it again. */
export function resetEnvForTests(): void {
  cached = undefined;
}

/** The portal's own public origin, for links it hands out (never taken from a request's Host header). */
export function publicBaseUrl(env: Env = getEnv()): string {
  return (env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
}
