import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

// Standard Webhooks signing (docs/outbound-webhooks.md §3) with the specification's own npm library: a secret is
// `whsec_` + base64 of 32 random bytes; `webhook-signature` lists one `v1,<sig>` per secret, space-separated, so a
// receiver holding either the new or the previous secret verifies during a rotation's overlap.

export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export function isSigningSecret(value: string): boolean {
  return /^whsec_[A-Za-z0-9+/]{43}=$/.test(value);
}

export type SignedHeaders = { "webhook-id": string; "webhook-timestamp": string; "webhook-signature": string };

/** Headers for one request; `secrets` newest first. */
export function signPayload(secrets: readonly string[], messageId: string, at: Date, body: string): SignedHeaders {
  if (secrets.length === 0) throw new Error("no signing secret");
  const signature = secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(" ");
  return { "webhook-id": messageId, "webhook-timestamp": String(Math.floor(at.getTime() / 1_000)), "webhook-signature": signature };
}
