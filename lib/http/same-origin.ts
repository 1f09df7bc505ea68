import { publicBaseUrl } from "../env";

/**
 * Cookie-authenticated mutating route handlers accept only same-origin requests (docs/security.md R25): the browser's
 * Sec-Fetch-Site when it sends one, else an Origin equal to the portal's own. Browsers set Sec-Fetch-Site
 * themselves (a page cannot forge it), so it decides when present; Origin covers browsers without it.
 */
export function isSameOriginRequest(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site) return site === "same-origin";
  const origin = req.headers.get("origin");
  return origin !== null && origin === new URL(publicBaseUrl()).origin;
}
