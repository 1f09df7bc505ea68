import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";

// Partner webhooks carry HMAC-SHA256(platform secret, raw body) in this header (docs/hub-contract.md §4.2).
// UNVERIFIED: digest encoding and any prefix, so hex (either case), base64, base64url, padded or not,
// with or without `sha256=` are all accepted (docs/hub-contract.md §11.1); whatever the spelling, exactly 32 bytes must decode.

export const WEBHOOK_SIGNATURE_HEADER = "x-360dialog-signature";

export type WebhookSecretLabel = "current" | "previous";
export type WebhookSecret = { secret: string; label: WebhookSecretLabel };
export type WebhookSignatureEncoding = "hex" | "base64" | "base64url";
export type WebhookVerifyFailure = "missing" | "malformed" | "mismatch";
export type WebhookVerifyResult = { ok: true; matched: WebhookSecretLabel } | { ok: false; reason: WebhookVerifyFailure };

const DIGEST_BYTES = 32;
// Longest accepted spelling is `sha256=` + 64 hex digits; anything far past that is not worth scanning.
const MAX_HEADER_CHARS = 256;
const PREFIX = /^sha256=/i;
const HEX = /^[0-9a-f]{64}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{43}|[A-Za-z0-9_-]{43})=?$/;

function bodyBytes(rawBody: Uint8Array | string): Uint8Array | null {
  if (typeof rawBody === "string") return Buffer.from(rawBody, "utf8");
  return rawBody instanceof Uint8Array ? rawBody : null;
}

function hmac(secret: string, body: Uint8Array): Buffer {
  return createHmac("sha256", secret).update(body).digest();
}

/** The 32 digest bytes a header spells, or why it does not spell any. */
export function decodeWebhookSignature(header: unknown): Buffer | "missing" | "malformed" {
  if (header === undefined || header === null) return "missing";
  if (typeof header !== "string") return "malformed";
  if (header.length > MAX_HEADER_CHARS) return "malformed";
  const trimmed = header.trim();
  if (trimmed === "") return "missing";
  const value = trimmed.replace(PREFIX, "");
  const bytes = HEX.test(value) ? Buffer.from(value, "hex") : BASE64.test(value) ? Buffer.from(value, "base64") : null;
  return bytes && bytes.length === DIGEST_BYTES ? bytes : "malformed";
}

/** Verify before parse (docs/security.md R1): `rawBody` must be the bytes as received, never re-serialised JSON. */
export function verifyWebhookSignature(opts: {
  rawBody: Uint8Array | string;
  header: string | null | undefined;
  secrets: readonly WebhookSecret[];
}): WebhookVerifyResult {
  try {
    const given = decodeWebhookSignature(opts.header);
    if (typeof given === "string") return { ok: false, reason: given };
    const body = bodyBytes(opts.rawBody);
    if (!body) return { ok: false, reason: "mismatch" };
    let matched: WebhookSecretLabel | null = null;
    // Every secret is tried, so the time taken does not tell which one matched.
    for (const entry of Array.isArray(opts.secrets) ? opts.secrets : []) {
      if (!entry || typeof entry.secret !== "string" || entry.secret === "") continue;
      if (entry.label !== "current" && entry.label !== "previous") continue;
      const equal = timingSafeEqual(hmac(entry.secret, body), given);
      if (equal && matched === null) matched = entry.label;
    }
    return matched ? { ok: true, matched } : { ok: false, reason: "mismatch" };
  } catch {
    return { ok: false, reason: "malformed" };
  }
}

/** The header value 360dialog would send (sandbox and tests); hex unless told otherwise. */
export function signWebhookBody(rawBody: Uint8Array | string, secret: string, encoding: WebhookSignatureEncoding = "hex"): string {
  const body = bodyBytes(rawBody);
  if (!body) throw new TypeError("rawBody must be a string or Uint8Array");
  if (typeof secret !== "string" || secret === "") throw new TypeError("secret must be a non-empty string");
  return hmac(secret, body).toString(encoding);
}
