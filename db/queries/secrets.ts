import "server-only";
import { and, asc, eq, gt, isNotNull, or, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { alertDestinations, apiKeys, hubs, userTotp, webhookEndpoints } from "../schema";

// Every column that holds a secret sealed with APP_ENCRYPTION_KEY, for re-sealing under a new key
// (lib/secrets-rewrap.ts). Each update is a compare-and-set on the old value, so a re-seal never overwrites a
// value that changed meanwhile (a regenerated key, a saved hub form).

export const HUB_SECRET_FIELDS = ["credentialsEnc", "platformSecretEnc", "previousPlatformSecretEnc", "wabaWebhookSecretEnc", "previousWabaWebhookSecretEnc"] as const;
export type HubSecretField = (typeof HUB_SECRET_FIELDS)[number];
/** The sealed columns of an outbound endpoint: its signing secret, and the previous one of a rotation's overlap. */
export const ENDPOINT_SECRET_FIELDS = ["secretEnc", "previousSecretEnc"] as const;
export type EndpointSecretField = (typeof ENDPOINT_SECRET_FIELDS)[number];

/**
 * Every sealed column this module lists, counts and replaces, as `table.column` (SQL names). The rewrap db test
 * compares it with the `*_enc` columns of the migrated schema (db/schema.ts: secrets are stored only in columns
 * named so), so a sealed column added without a re-seal fails there.
 */
export const SEALED_COLUMNS: readonly string[] = [
  ...HUB_SECRET_FIELDS.map((f) => `hubs.${hubs[f].name}`),
  `api_keys.${apiKeys.keyEnc.name}`,
  `user_totp.${userTotp.secretEnc.name}`,
  `alert_destinations.${alertDestinations.slackUrlEnc.name}`,
  ...ENDPOINT_SECRET_FIELDS.map((f) => `webhook_endpoints.${webhookEndpoints[f].name}`),
];

/** The key id inside a sealed value (`v1.<kid>.…`), in SQL. */
const kidOf = (
  column: typeof apiKeys.keyEnc | (typeof hubs)[HubSecretField] | typeof userTotp.secretEnc | typeof alertDestinations.slackUrlEnc | (typeof webhookEndpoints)[EndpointSecretField],
) => sql`split_part(${column}, '.', 2)`;

export async function listHubSecrets({ db }: { db: Executor }) {
  return db
    .select({ id: hubs.id, credentialsEnc: hubs.credentialsEnc, platformSecretEnc: hubs.platformSecretEnc, previousPlatformSecretEnc: hubs.previousPlatformSecretEnc, wabaWebhookSecretEnc: hubs.wabaWebhookSecretEnc, previousWabaWebhookSecretEnc: hubs.previousWabaWebhookSecretEnc })
    .from(hubs)
    .orderBy(asc(hubs.id));
}

export async function replaceHubSecret({ db, id, field, from, to }: { db: Executor; id: string; field: HubSecretField; from: string; to: string }): Promise<boolean> {
  const rows = await db
    .update(hubs)
    .set({ [field]: to })
    .where(and(eq(hubs.id, id), eq(hubs[field], from)))
    .returning({ id: hubs.id });
  return rows.length === 1;
}

/** Stored API keys not sealed with `keyId`, in id order after `afterId`. */
export async function listApiKeysNotSealedWith({ db, keyId, afterId, limit }: { db: Executor; keyId: string; afterId: string | null; limit: number }) {
  return db
    .select({ id: apiKeys.id, channelId: apiKeys.channelId, keyVersion: apiKeys.keyVersion, keyEnc: apiKeys.keyEnc })
    .from(apiKeys)
    .where(and(isNotNull(apiKeys.keyEnc), sql`${kidOf(apiKeys.keyEnc)} <> ${keyId}`, afterId ? gt(apiKeys.id, afterId) : undefined))
    .orderBy(asc(apiKeys.id))
    .limit(limit);
}

export async function replaceApiKeySecret({ db, id, from, to }: { db: Executor; id: string; from: string; to: string }): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ keyEnc: to })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.keyEnc, from)))
    .returning({ id: apiKeys.id });
  return rows.length === 1;
}

/** How many sealed values each key id still holds, across every secret column. */
export async function countSecretsByKeyId({ db }: { db: Executor }): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const add = (rows: { kid: string; n: number }[]) => {
    for (const r of rows) counts[r.kid] = (counts[r.kid] ?? 0) + Number(r.n);
  };
  add(await db.select({ kid: sql<string>`${kidOf(apiKeys.keyEnc)}`, n: sql<number>`count(*)::int` }).from(apiKeys).where(isNotNull(apiKeys.keyEnc)).groupBy(kidOf(apiKeys.keyEnc)));
  for (const field of HUB_SECRET_FIELDS) {
    add(await db.select({ kid: sql<string>`${kidOf(hubs[field])}`, n: sql<number>`count(*)::int` }).from(hubs).where(isNotNull(hubs[field])).groupBy(kidOf(hubs[field])));
  }
  // Staff authenticator-app secrets (docs/accounts.md §1).
  add(await db.select({ kid: sql<string>`${kidOf(userTotp.secretEnc)}`, n: sql<number>`count(*)::int` }).from(userTotp).groupBy(kidOf(userTotp.secretEnc)));
  const slack = alertDestinations.slackUrlEnc;
  add(await db.select({ kid: sql<string>`${kidOf(slack)}`, n: sql<number>`count(*)::int` }).from(alertDestinations).where(isNotNull(slack)).groupBy(kidOf(slack)));
  // Outbound endpoints' signing secrets (docs/outbound-webhooks.md §1).
  for (const field of ENDPOINT_SECRET_FIELDS) {
    const column = webhookEndpoints[field];
    add(await db.select({ kid: sql<string>`${kidOf(column)}`, n: sql<number>`count(*)::int` }).from(webhookEndpoints).where(isNotNull(column)).groupBy(kidOf(column)));
  }
  return counts;
}

/** Staff alerts' Slack webhook URLs not sealed with `keyId` (docs/alerts.md §3). */
export async function listAlertSlackUrlsNotSealedWith({ db, keyId }: { db: Executor; keyId: string }) {
  const column = alertDestinations.slackUrlEnc;
  return db
    .select({ id: alertDestinations.id, slackUrlEnc: column })
    .from(alertDestinations)
    .where(and(isNotNull(column), sql`${kidOf(column)} <> ${keyId}`))
    .orderBy(asc(alertDestinations.id));
}

export async function replaceAlertSlackUrl({ db, id, from, to }: { db: Executor; id: string; from: string; to: string }): Promise<boolean> {
  const rows = await db
    .update(alertDestinations)
    .set({ slackUrlEnc: to })
    .where(and(eq(alertDestinations.id, id), eq(alertDestinations.slackUrlEnc, from)))
    .returning({ id: alertDestinations.id });
  return rows.length === 1;
}

/** Outbound endpoints with a signing secret (current or previous) not sealed with `keyId`, in id order after `afterId`. */
export async function listEndpointSecretsNotSealedWith({ db, keyId, afterId, limit }: { db: Executor; keyId: string; afterId: string | null; limit: number }) {
  const notWith = (column: (typeof webhookEndpoints)[EndpointSecretField]) => and(isNotNull(column), sql`${kidOf(column)} <> ${keyId}`);
  return db
    .select({ id: webhookEndpoints.id, secretEnc: webhookEndpoints.secretEnc, previousSecretEnc: webhookEndpoints.previousSecretEnc })
    .from(webhookEndpoints)
    .where(and(or(notWith(webhookEndpoints.secretEnc), notWith(webhookEndpoints.previousSecretEnc)), afterId ? gt(webhookEndpoints.id, afterId) : undefined))
    .orderBy(asc(webhookEndpoints.id))
    .limit(limit);
}

export async function replaceEndpointSecret({ db, id, field, from, to }: { db: Executor; id: string; field: EndpointSecretField; from: string; to: string }): Promise<boolean> {
  const rows = await db
    .update(webhookEndpoints)
    .set({ [field]: to })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints[field], from)))
    .returning({ id: webhookEndpoints.id });
  return rows.length === 1;
}
