import "server-only";
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { getEnv, publicBaseUrl } from "../env";

// One-time tokens of the onboarding flow (docs/security.md R11): `state` (CSRF token of one session), the browser binding
// cookie, invite tokens and status tokens. Only sha256 hashes are stored; the values live in URLs and cookies.

/** A session lasts long enough for account creation plus Meta's Embedded Signup (docs/security.md R11). */
export const SESSION_TTL_MS = 60 * 60 * 1000;
export const BROWSER_BINDING_MAX_AGE_S = 24 * 60 * 60;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Shape check for every 32-byte token this module issues (43 base64url characters). */
export function isToken(value: unknown): value is string {
  return typeof value === "string" && TOKEN_PATTERN.test(value);
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * The status token of a session: derived from the session id with a server key, so the completion of a flow
 * (which only has the hash) can hand out the same link the start did. Unforgeable without NEXTAUTH_SECRET.
 */
export function statusTokenFor(sessionId: string): string {
  const key = createHmac("sha256", getEnv().NEXTAUTH_SECRET).update("portal:onboarding-status-token:v1").digest();
  return createHmac("sha256", key).update(sessionId, "utf8").digest("base64url");
}

export function statusPathFor(sessionId: string): string {
  return `/onboarding/status/${statusTokenFor(sessionId)}`;
}

export type CookieOptions = {
  name: string;
  value: string;
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  path: "/";
  maxAge: number;
};

function portalIsHttps(): boolean {
  return publicBaseUrl().startsWith("https://");
}

/** `__Host-` on https (docs/security.md R25: the cookie can only be set by this exact origin); plain name on local http. */
export function browserBindingCookieName(): string {
  return portalIsHttps() ? "__Host-portal_ob" : "portal_ob";
}

/** One random value per browser; each session stores its hash (docs/security.md R11). SameSite=Lax so 360dialog's top-level redirect carries it. */
export function browserBindingCookie(value: string): CookieOptions {
  return {
    name: browserBindingCookieName(),
    value,
    httpOnly: true,
    sameSite: "lax",
    secure: portalIsHttps(),
    path: "/",
    maxAge: BROWSER_BINDING_MAX_AGE_S,
  };
}

/** The binding from the cookie if well-formed; anything else counts as absent. */
export function readBrowserBinding(value: string | undefined | null): string | null {
  return isToken(value) ? value : null;
}

/** The binding to use for this request: the browser's own, or a new one the route must set. */
export function ensureBrowserBinding(existing: string | undefined | null): { value: string; isNew: boolean } {
  const current = readBrowserBinding(existing);
  return current ? { value: current, isNew: false } : { value: newToken(), isNew: true };
}
