import "server-only";
import { createHash } from "node:crypto";
import type { Hub } from "@/db/schema";
import { openSecret, sealSecret } from "../secrets";

export type HubCredentials = { kind: "api_key"; apiKey: string } | { kind: "token"; username: string; password: string };

/** The AAD of a hub's sealed field: names row and column, so a value moved elsewhere fails to open. */
export const hubSecretAad = (hubId: string, field: "credentials" | "platform_secret" | "previous_platform_secret" | "waba_webhook_secret" | "previous_waba_webhook_secret") =>
  `hubs|${hubId}|${field}`;
const aad = hubSecretAad;

export function sealHubCredentials(hubId: string, credentials: HubCredentials): string {
  return sealSecret(JSON.stringify(credentials), aad(hubId, "credentials"));
}

export function openHubCredentials(hub: Pick<Hub, "id" | "credentialsEnc">): HubCredentials | null {
  if (!hub.credentialsEnc) return null;
  return JSON.parse(openSecret(hub.credentialsEnc, aad(hub.id, "credentials"))) as HubCredentials;
}

export function sealPlatformSecret(hubId: string, secret: string, slot: "current" | "previous" = "current"): string {
  return sealSecret(secret, aad(hubId, slot === "current" ? "platform_secret" : "previous_platform_secret"));
}

export function openPlatformSecret(hub: Pick<Hub, "id" | "platformSecretEnc">): string | null {
  return hub.platformSecretEnc ? openSecret(hub.platformSecretEnc, aad(hub.id, "platform_secret")) : null;
}

/**
 * Secrets a webhook signature may match: the current one, and the previous one during the rotation overlap
 * (360dialog signs IO and webhooks with one secret; after a regeneration deliveries in flight carry the old one).
 */
export function webhookSecrets(
  hub: Pick<Hub, "id" | "platformSecretEnc" | "previousPlatformSecretEnc" | "previousSecretExpiresAt">,
  now = new Date(),
): { secret: string; label: "current" | "previous" }[] {
  const list: { secret: string; label: "current" | "previous" }[] = [];
  const current = openPlatformSecret(hub);
  if (current) list.push({ secret: current, label: "current" });
  if (hub.previousPlatformSecretEnc && hub.previousSecretExpiresAt && hub.previousSecretExpiresAt > now) {
    list.push({ secret: openSecret(hub.previousPlatformSecretEnc, aad(hub.id, "previous_platform_secret")), label: "previous" });
  }
  return list;
}

/** The secret header value of the hub's WABA webhooks (docs/waba-webhook.md §2), sealed like the platform secret. */
export function sealWabaWebhookSecret(hubId: string, secret: string, slot: "current" | "previous" = "current"): string {
  return sealSecret(secret, aad(hubId, slot === "current" ? "waba_webhook_secret" : "previous_waba_webhook_secret"));
}

/** The secrets a WABA webhook delivery may carry: the current one, and the previous one until its overlap ends. */
export function wabaWebhookSecrets(
  hub: Pick<Hub, "id" | "wabaWebhookSecretEnc" | "previousWabaWebhookSecretEnc" | "previousWabaWebhookSecretExpiresAt">,
  now = new Date(),
): string[] {
  const list: string[] = [];
  const current = openWabaWebhookSecret(hub);
  if (current) list.push(current);
  if (hub.previousWabaWebhookSecretEnc && hub.previousWabaWebhookSecretExpiresAt && hub.previousWabaWebhookSecretExpiresAt > now) {
    list.push(openSecret(hub.previousWabaWebhookSecretEnc, aad(hub.id, "previous_waba_webhook_secret")));
  }
  return list;
}

export function openWabaWebhookSecret(hub: Pick<Hub, "id" | "wabaWebhookSecretEnc">): string | null {
  return hub.wabaWebhookSecretEnc ? openSecret(hub.wabaWebhookSecretEnc, aad(hub.id, "waba_webhook_secret")) : null;
}

/**
 * The WABA webhook secret in the form that travels in the URL path (docs/waba-webhook.md §2.1): whether 360dialog
 * forwards the headers set with `POST /waba_webhook` is not documented, so the secret also rides in the URL, which it
 * must keep. Hex (no "_", which 360dialog refuses in webhook addresses), derived, so the stored secret itself never
 * shows in an access log.
 */
export function wabaPathToken(secret: string): string {
  return createHash("sha256").update(`waba-webhook-path|${secret}`, "utf8").digest("hex");
}

/** What a path token looks like; anything else in that segment is a wrong secret. */
export const WABA_PATH_TOKEN = /^[0-9a-f]{64}$/;
