import "server-only";
import {
  HUB_SECRET_FIELDS,
  ENDPOINT_SECRET_FIELDS,
  countSecretsByKeyId,
  listEndpointSecretsNotSealedWith,
  replaceEndpointSecret,
  listAlertSlackUrlsNotSealedWith,
  replaceAlertSlackUrl,
  listApiKeysNotSealedWith,
  listHubSecrets,
  replaceApiKeySecret,
  replaceHubSecret,
  type HubSecretField,
} from "@/db/queries/secrets";
import type { Database } from "@/db/client";
import { listTotpSecrets, replaceTotpSecret } from "@/db/queries/account-security";
import { totpSecretAad } from "./auth/totp";
import { slackUrlAad } from "./alerts/slack";
import { keyAad } from "./channels/api-keys";
import { hubSecretAad } from "./hub-config/secrets";
import { secretAad as endpointSecretAad } from "./outbound/deliver";
import { currentKeyId, resealSecret, sealedWith } from "./secrets";

// `npm run keys:rewrap`: after a new key was put first in APP_ENCRYPTION_KEY, seals every stored secret (API keys,
// hub credentials, platform and WABA webhook secrets, staff authenticator-app secrets, alert Slack URLs, outbound
// endpoints' signing secrets; db/queries/secrets.ts SEALED_COLUMNS) under it, so the old key can be removed. Only the data key of each value is
// wrapped again (the value itself is authenticated first, so a tampered or misplaced value is reported, never
// laundered). Each row is its own compare-and-set, so the run can be stopped at any point and started again: it
// resumes with what is left.

export type RewrapReport = {
  keyId: string;
  resealed: number;
  /** Values that failed to open (tampered, wrong AAD, or a key no longer in APP_ENCRYPTION_KEY): left as they are. */
  failed: { table: "hubs" | "api_keys" | "user_totp" | "alert_destinations" | "webhook_endpoints"; id: string; field: string; reason: string }[];
  /** Values per key id after the run: when only `keyId` is left, the other keys can be removed. */
  remaining: Record<string, number>;
};

const HUB_AAD_FIELD: Record<HubSecretField, Parameters<typeof hubSecretAad>[1]> = {
  credentialsEnc: "credentials",
  platformSecretEnc: "platform_secret",
  previousPlatformSecretEnc: "previous_platform_secret",
  wabaWebhookSecretEnc: "waba_webhook_secret",
  previousWabaWebhookSecretEnc: "previous_waba_webhook_secret",
};

export async function rewrapAllSecrets(db: Database, options: { batchSize?: number; maxRows?: number; onProgress?: (done: number) => void } = {}): Promise<RewrapReport> {
  const keyId = currentKeyId();
  const batchSize = options.batchSize ?? 500;
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const report: RewrapReport = { keyId, resealed: 0, failed: [], remaining: {} };
  const reseal = (stored: string, aad: string): string | Error => {
    try {
      return resealSecret(stored, aad);
    } catch (error) {
      return error instanceof Error ? error : new Error("failed");
    }
  };

  for (const hub of await listHubSecrets({ db })) {
    for (const field of HUB_SECRET_FIELDS) {
      const stored = hub[field];
      if (!stored || report.resealed >= maxRows || sealedWith(stored) === keyId) continue;
      const next = reseal(stored, hubSecretAad(hub.id, HUB_AAD_FIELD[field]));
      if (next instanceof Error) report.failed.push({ table: "hubs", id: hub.id, field, reason: next.message });
      else if (await replaceHubSecret({ db, id: hub.id, field, from: stored, to: next })) report.resealed++;
    }
  }

  // Staff authenticator-app secrets (docs/accounts.md §1): a secret left under a removed key would lock its user out.
  for (const row of await listTotpSecrets({ db })) {
    if (report.resealed >= maxRows || sealedWith(row.secretEnc) === keyId) continue;
    const next = reseal(row.secretEnc, totpSecretAad(row.userId));
    if (next instanceof Error) report.failed.push({ table: "user_totp", id: row.userId, field: "secretEnc", reason: next.message });
    else if (await replaceTotpSecret({ db, userId: row.userId, from: row.secretEnc, to: next })) report.resealed++;
  }

  let afterId: string | null = null;
  while (report.resealed < maxRows) {
    const rows = await listApiKeysNotSealedWith({ db, keyId, afterId, limit: batchSize });
    if (rows.length === 0) break;
    for (const row of rows) {
      if (report.resealed >= maxRows) break;
      const next = reseal(row.keyEnc!, keyAad(row.channelId, row.keyVersion));
      if (next instanceof Error) report.failed.push({ table: "api_keys", id: row.id, field: "keyEnc", reason: next.message });
      else if (await replaceApiKeySecret({ db, id: row.id, from: row.keyEnc!, to: next })) report.resealed++;
    }
    afterId = rows[rows.length - 1]!.id;
    options.onProgress?.(report.resealed);
  }
  // Staff alerts' Slack webhook URLs (docs/alerts.md §3): few, read in one go.
  for (const row of await listAlertSlackUrlsNotSealedWith({ db, keyId })) {
    if (report.resealed >= maxRows) break;
    const next = reseal(row.slackUrlEnc!, slackUrlAad(row.id));
    if (next instanceof Error) report.failed.push({ table: "alert_destinations", id: row.id, field: "slackUrlEnc", reason: next.message });
    else if (await replaceAlertSlackUrl({ db, id: row.id, from: row.slackUrlEnc!, to: next })) report.resealed++;
  }
  // Outbound endpoints' signing secrets (docs/outbound-webhooks.md §1): a secret left under a removed key stops
  // every delivery to that endpoint, since nothing can be signed with it.
  afterId = null;
  while (report.resealed < maxRows) {
    const rows = await listEndpointSecretsNotSealedWith({ db, keyId, afterId, limit: batchSize });
    if (rows.length === 0) break;
    for (const row of rows) {
      for (const field of ENDPOINT_SECRET_FIELDS) {
        const stored = row[field];
        if (!stored || report.resealed >= maxRows || sealedWith(stored) === keyId) continue;
        const next = reseal(stored, endpointSecretAad(row.id, field === "secretEnc" ? "current" : "previous"));
        if (next instanceof Error) report.failed.push({ table: "webhook_endpoints", id: row.id, field, reason: next.message });
        else if (await replaceEndpointSecret({ db, id: row.id, field, from: stored, to: next })) report.resealed++;
      }
    }
    afterId = rows[rows.length - 1]!.id;
    options.onProgress?.(report.resealed);
  }
  report.remaining = await countSecretsByKeyId({ db });
  return report;
}
