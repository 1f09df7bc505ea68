import "server-only";
import { cookies } from "next/headers";
import { publicBaseUrl } from "../env";

// The cookies of the sign-in ceremonies besides the session itself (docs/accounts.md): each holds a random token
// whose SHA-256 is the database row's key, HttpOnly, and `__Host-` (Secure, no Domain, path /) whenever the portal
// is served over https (docs/security.md R25).

export type FlowCookie = "second_factor" | "passkey" | "browser";

const BASE_NAMES: Record<FlowCookie, string> = {
  second_factor: "portal-2fa",
  passkey: "portal-passkey",
  browser: "portal-browser",
};

/** How long each lives: a pending second factor and a WebAuthn ceremony briefly, the browser marker long. */
export const FLOW_COOKIE_MAX_AGE: Record<FlowCookie, number> = {
  second_factor: 10 * 60,
  passkey: 5 * 60,
  browser: 400 * 24 * 3600,
};

function secure(): boolean {
  return publicBaseUrl().startsWith("https://");
}

export function flowCookieName(kind: FlowCookie): string {
  return `${secure() ? "__Host-" : ""}${BASE_NAMES[kind]}`;
}

export async function readFlowCookie(kind: FlowCookie): Promise<string | undefined> {
  const value = (await cookies()).get(flowCookieName(kind))?.value;
  return value && /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : undefined;
}

export async function setFlowCookie(kind: FlowCookie, value: string): Promise<void> {
  (await cookies()).set(flowCookieName(kind), value, {
    httpOnly: true,
    secure: secure(),
    // Strict for the ceremonies: they are same-site fetches and form posts. The browser marker is read at sign-in only.
    sameSite: kind === "browser" ? "lax" : "strict",
    path: "/",
    maxAge: FLOW_COOKIE_MAX_AGE[kind],
  });
}

export async function clearFlowCookie(kind: FlowCookie): Promise<void> {
  (await cookies()).delete({ name: flowCookieName(kind), path: "/", secure: secure() });
}
