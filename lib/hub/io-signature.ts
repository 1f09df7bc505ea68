import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { PARTNER_ID_PATTERN } from "./io";

// IO Signature (docs/hub-contract.md §3): HMAC-SHA512 over `{partnerId}|{unixSeconds}` keyed by the platform secret.
// UNVERIFIED: output encoding (hex or base64), so it is a per-hub setting; the validity window (300 s default).

export type IoSignatureEncoding = "hex" | "base64";
export type IoSignature = { signature: string; timestamp: string };

export const IO_SIGNATURE_MAX_SKEW_SECONDS = 300;
const DIGEST_BYTES = 64;
const TIMESTAMP = /^(0|[1-9][0-9]{0,11})$/;
const HEX = /^[0-9a-f]{128}$/;
const BASE64 = /^[A-Za-z0-9+/]{86}==$/;

function digest(secret: string, partnerId: string, timestamp: string): Buffer {
  return createHmac("sha512", secret).update(`${partnerId}|${timestamp}`, "utf8").digest();
}

function unixSeconds(now: Date): number {
  const ms = now instanceof Date ? now.getTime() : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0) throw new TypeError("now must be a valid date");
  return Math.floor(ms / 1000);
}

/** A fresh signature for one onboarding click: never cache it, the hub refuses reuse. */
export function signIo(opts: { partnerId: string; platformSecret: string; encoding: IoSignatureEncoding; now?: Date }): IoSignature {
  const { partnerId, platformSecret, encoding } = opts;
  if (typeof partnerId !== "string" || !PARTNER_ID_PATTERN.test(partnerId)) throw new TypeError("partnerId is not a valid partner id");
  if (typeof platformSecret !== "string" || platformSecret === "") throw new TypeError("platformSecret must be a non-empty string");
  if (encoding !== "hex" && encoding !== "base64") throw new TypeError('encoding must be "hex" or "base64"');
  const timestamp = String(unixSeconds(opts.now ?? new Date()));
  return { signature: digest(platformSecret, partnerId, timestamp).toString(encoding), timestamp };
}

export type IoVerifyFailure = "missing" | "malformed" | "expired" | "mismatch";
export type IoVerifyResult = { ok: true } | { ok: false; reason: IoVerifyFailure };

// Only the canonical form (what signIo emits) is accepted, so a caller's reuse check keyed on the
// signature string cannot be sidestepped by re-encoding the same bytes (case, padding, alphabet).
function decodeSignature(signature: string, encoding: IoSignatureEncoding): Buffer | null {
  if (encoding === "hex") return HEX.test(signature) ? Buffer.from(signature, "hex") : null;
  if (!BASE64.test(signature)) return null;
  const bytes = Buffer.from(signature, "base64");
  return bytes.length === DIGEST_BYTES && bytes.toString("base64") === signature ? bytes : null;
}

/** Checks an IO Signature as the hub would (the sandbox keeps its own independent check). Reuse detection is the caller's job. */
export function verifyIoSignature(opts: {
  partnerId: string;
  secrets: readonly string[];
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  encoding: IoSignatureEncoding;
  now?: Date;
  maxSkewSeconds?: number;
}): IoVerifyResult {
  const { partnerId, secrets, signature, timestamp, encoding } = opts;
  const maxSkew = opts.maxSkewSeconds ?? IO_SIGNATURE_MAX_SKEW_SECONDS;
  if (signature === undefined || signature === null || signature === "" || timestamp === undefined || timestamp === null || timestamp === "") {
    return { ok: false, reason: "missing" };
  }
  if (typeof signature !== "string" || typeof timestamp !== "string" || !TIMESTAMP.test(timestamp)) return { ok: false, reason: "malformed" };
  if (typeof partnerId !== "string" || !PARTNER_ID_PATTERN.test(partnerId)) return { ok: false, reason: "mismatch" };
  const given = decodeSignature(signature, encoding);
  if (!given) return { ok: false, reason: "malformed" };

  const now = opts.now instanceof Date ? opts.now.getTime() : Date.now();
  if (!Number.isFinite(now) || !(maxSkew >= 0)) return { ok: false, reason: "expired" };
  if (Math.abs(Math.floor(now / 1000) - Number(timestamp)) > maxSkew) return { ok: false, reason: "expired" };

  let matched = false;
  for (const secret of Array.isArray(secrets) ? secrets : []) {
    if (typeof secret !== "string" || secret === "") continue;
    matched = timingSafeEqual(digest(secret, partnerId, timestamp), given) || matched;
  }
  return matched ? { ok: true } : { ok: false, reason: "mismatch" };
}
