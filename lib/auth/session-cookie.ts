import { publicBaseUrl, type Env } from "../env";

// The staff session cookie, named and flagged in one place for next-auth, the proxy's first gate and the
// server actions that issue a session themselves (sign-in form, password change). No "server-only" here:
// the proxy imports it.

export function sessionMaxAgeSeconds(env: Env): number {
  return Math.round(env.SESSION_MAX_AGE_HOURS * 3600);
}

/** next-auth's own naming: `__Secure-` whenever the public URL is https (docs/security.md R25). */
export function sessionCookie(env: Env) {
  const secure = publicBaseUrl(env).startsWith("https://");
  return {
    name: `${secure ? "__Secure-" : ""}next-auth.session-token`,
    options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure },
  };
}
