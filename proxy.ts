import { randomBytes } from "node:crypto";
import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";
import { sessionCookie } from "@/lib/auth/session-cookie";
import { getEnv, publicBaseUrl } from "@/lib/env";
import { LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE_S, closestLocale } from "@/lib/i18n/locales";
import { contentSecurityPolicyFor, openerPolicyFor, privacyHeadersFor } from "@/lib/http/security-headers";
import { redirectReturnRewrite } from "@/lib/onboarding/redirect-return";

// Runs before every page: a fresh CSP nonce and the page's opener policy (docs/security.md R15, R28), and a first sign-in gate
// for the dashboard. Only a first gate: every page, action and route checks the role again (docs/security.md R27).

const ES_ORIGINS_PROD = ["https://connect.facebook.net", "https://www.facebook.com", "https://web.facebook.com", "https://graph.facebook.com"];

/** `served`: the page that answers, when a rewrite makes it another than the address (its privacy headers apply). */
function withSecurityHeaders(res: NextResponse, csp: string, pathname: string, served = pathname): NextResponse {
  res.headers.set("Content-Security-Policy", csp);
  res.headers.set("Cross-Origin-Opener-Policy", openerPolicyFor(pathname));
  for (const [name, value] of Object.entries(privacyHeadersFor(served))) res.headers.set(name, value);
  return res;
}

export async function proxy(req: NextRequest) {
  const env = getEnv();
  const { pathname, search } = req.nextUrl;
  const nonce = randomBytes(16).toString("base64");
  const csp = contentSecurityPolicyFor(pathname, {
    nonce,
    dev: env.NODE_ENV === "development",
    https: publicBaseUrl(env).startsWith("https:"),
    embeddedSignupOrigins: [...(env.sandboxEnabled ? [env.sandboxUrl] : []), ...ES_ORIGINS_PROD],
  });

  if (pathname === "/dashboard" || pathname.startsWith("/dashboard/")) {
    const cookie = sessionCookie(env);
    const token = await getToken({ req, secret: env.NEXTAUTH_SECRET, cookieName: cookie.name, secureCookie: cookie.options.secure });
    if (!token) {
      const login = new URL("/login", req.url);
      login.searchParams.set("callbackUrl", pathname + search);
      return withSecurityHeaders(NextResponse.redirect(login), csp, pathname);
    }
  }

  const requestHeaders = new Headers(req.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  // `/` and `/join/<token>` are light pages without React (pages/, docs/nextjs.md §2); when 360dialog's redirect
  // brings the Connect Button's popup (or, through the package, its opener) back to them, the App Router's
  // redirect page answers under the same address and hands the query over (docs/security.md R14, R16).
  const rewrite = redirectReturnRewrite(pathname, req.nextUrl.searchParams);
  const res = rewrite
    ? NextResponse.rewrite(new URL(`${rewrite}${search}`, req.url), { request: { headers: requestHeaders } })
    : NextResponse.next({ request: { headers: requestHeaders } });
  // A language the visitor chose (the client pages' switcher links carry `?lang=`) is remembered for the pages that
  // follow, which carry none (docs/i18n.md §2). Only a supported one, and only when it changes.
  const chosen = closestLocale(req.nextUrl.searchParams.get("lang") ?? "");
  if (chosen && req.cookies.get(LOCALE_COOKIE)?.value !== chosen) {
    res.cookies.set(LOCALE_COOKIE, chosen, { path: "/", maxAge: LOCALE_COOKIE_MAX_AGE_S, sameSite: "lax", httpOnly: true, secure: publicBaseUrl(env).startsWith("https:") });
  }
  return withSecurityHeaders(res, csp, pathname, rewrite ?? pathname);
}

// Every page answer, 404s and prefetches included: a prefetch header is the client's to choose, so a matcher that
// skipped requests carrying one would let any client skip the CSP and the sign-in gate. Route handlers under /api
// get their security headers from next.config.ts; Next's build files and optimised images need none of these.
export const config = {
  matcher: ["/((?!api/|_next/static/|_next/image$).*)"],
};
