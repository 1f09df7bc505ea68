// Where a sign-in may send the browser afterwards (docs/security.md R13). Both functions take anything a request can carry
// (a string in any encoding, an array, nothing) and answer with a safe place: they never throw, so a strange
// callbackUrl can never turn into a 500.

const DASHBOARD_PATH = /^\/dashboard(\/[\w\-/]*)?(\?[\w\-=&%.]*)?$/;

/** A path inside the dashboard, or /dashboard. Used where the portal itself redirects (a relative Location). */
export function safeCallbackPath(value: unknown): string {
  return typeof value === "string" && DASHBOARD_PATH.test(value) ? value : "/dashboard";
}

/**
 * next-auth's `redirect` callback: like its default (relative, or the portal's own origin, else the portal), but
 * the input is resolved against the portal's URL in a try, so `\/evil.test`, `〱evil.test` or a non-string
 * get the fallback instead of an uncaught "Invalid URL"; the answer is always a serialised URL of our origin.
 */
export function sameOriginRedirect(url: unknown, baseUrl: string): string {
  const fallback = `${baseUrl.replace(/\/+$/, "")}/dashboard`;
  if (typeof url !== "string" || url.length > 2048) return fallback;
  try {
    const base = new URL(baseUrl);
    const target = new URL(url, base);
    return target.origin === base.origin ? target.href : fallback;
  } catch {
    return fallback;
  }
}
