import "server-only";
import { hashPassword } from "@/lib/auth/password";
import { fingerprintOf, keyAad } from "@/lib/channels/api-keys";
import { getEnv } from "@/lib/env";
import { sealPlatformSecret } from "@/lib/hub-config/secrets";
import { sealSecret } from "@/lib/secrets";

/*
 * The one module under db/ that may import lib/ (eslint.config.mjs allows this file and no other). The seed writes
 * rows the app must read back as its own: password hashes it verifies, API keys and platform secrets sealed with
 * the app's key ring and AAD. A copy of those rules here could drift from the app's without any test noticing, so
 * the seed borrows the app's, through this narrow surface only. The CLIs read where the database is the way the
 * app does (lib/env.ts), and see nothing else of the environment.
 */

export type SeedSealing = {
  hashPassword(password: string): Promise<string>;
  /** The sealed value and fingerprint of a channel's API key stored as its key version 1. */
  sealApiKey(channelId: string, apiKey: string): { keyEnc: string; fingerprint: string };
  sealPlatformSecret(hubId: string, secret: string): string;
};

export const seedSealing: SeedSealing = {
  hashPassword,
  sealApiKey: (channelId, apiKey) => ({ keyEnc: sealSecret(apiKey, keyAad(channelId, 1)), fingerprint: fingerprintOf(apiKey) }),
  sealPlatformSecret: (hubId, secret) => sealPlatformSecret(hubId, secret),
};

export type DatabaseSettings = { driver: "pglite" | "postgres"; url: string | undefined; pgliteDir: string };

/** Where the configured database is: DATABASE_URL, else the embedded PGlite under DATA_DIR. */
export function databaseSettings(): DatabaseSettings {
  const env = getEnv();
  return { driver: env.dbDriver, url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR };
}
