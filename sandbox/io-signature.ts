import { createHmac, timingSafeEqual } from "node:crypto";
import type { SignatureEncoding } from "./types";

// IO Signature check (docs/hub-contract.md §3): HMAC-SHA512 of `{partnerId}|{unixSeconds}` keyed by the platform
// secret. UNVERIFIED upstream and chosen here: encoding per partner (hex, compared case-insensitively, or
// base64), window |now − ts| ≤ windowSeconds (300 by default), and one use per signature.

export type IoSignatureFailure = "missing" | "malformed" | "invalid" | "expired" | "reused";

export interface IoSignatureCheck {
  partnerId: string;
  secret: string;
  encoding: SignatureEncoding;
  windowSeconds: number;
  nowSeconds: number;
  signature: string | null;
  timestamp: string | null;
  /** Signatures already used → UNIX second after which they expire anyway. Updated on success. */
  used: Map<string, number>;
}

export function computeIoSignature(partnerId: string, timestamp: string, secret: string, encoding: SignatureEncoding): string {
  return createHmac("sha512", secret).update(`${partnerId}|${timestamp}`, "utf8").digest(encoding);
}

export function checkIoSignature(c: IoSignatureCheck): { ok: true } | { ok: false; reason: IoSignatureFailure } {
  if (!c.signature || !c.timestamp) return { ok: false, reason: "missing" };
  if (!/^\d{1,12}$/.test(c.timestamp)) return { ok: false, reason: "malformed" };
  const expected = computeIoSignature(c.partnerId, c.timestamp, c.secret, c.encoding);
  const given = c.encoding === "hex" ? c.signature.toLowerCase() : c.signature;
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: "invalid" };
  const ts = Number(c.timestamp);
  if (Math.abs(c.nowSeconds - ts) > c.windowSeconds) return { ok: false, reason: "expired" };
  if (c.used.has(expected)) return { ok: false, reason: "reused" };
  c.used.set(expected, ts + c.windowSeconds);
  return { ok: true };
}

export const IO_SIGNATURE_MESSAGES: Record<IoSignatureFailure, string> = {
  missing: "The IO signature is missing: this partner requires io_signature and io_timestamp on the onboarding link.",
  malformed: "The IO signature timestamp is malformed: io_timestamp must be UNIX time in seconds.",
  invalid: "The IO signature is wrong: it does not match HMAC-SHA512(partnerId|timestamp) with the platform secret.",
  expired: "The IO signature has expired (or its timestamp lies in the future): ask the partner for a fresh link.",
  reused: "The IO signature was already used: every onboarding attempt needs a freshly signed link.",
};
