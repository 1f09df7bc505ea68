// Per-request security headers (docs/security.md R15, R16, R28): a nonce-based CSP and the opener policy each page needs.

/**
 * Pages whose document may live in the 360dialog popup: the redirect page and the Connect Button hosts (the
 * package redirects the popup back to the page that hosts the button). Any stricter opener policy there would
 * sever window.opener and the hand-off to the opener page (docs/security.md R15).
 */
const OPENER_KEPT = [/^\/$/, /^\/join\/[^/]+$/, /^\/onboarding\/redirect$/, /^\/dashboard\/settings\/hubs\/[^/]+\/try$/];
/**
 * Pages that open a cross-origin popup and must keep talking to it. The whole dashboard counts: a client-side
 * navigation keeps the opener policy of the document it started in, so any dashboard page may become the one
 * that opens the Connect Button's popup.
 */
const OPENS_POPUPS = [/^\/onboarding\/embedded-signup$/, /^\/dashboard(\/.*)?$/];

export function openerPolicyFor(pathname: string): "unsafe-none" | "same-origin-allow-popups" | "same-origin" {
  if (OPENER_KEPT.some((re) => re.test(pathname))) return "unsafe-none";
  if (OPENS_POPUPS.some((re) => re.test(pathname))) return "same-origin-allow-popups";
  return "same-origin";
}

export type CspOptions = {
  nonce: string;
  dev: boolean;
  /** Origins the partner-hosted Embedded Signup page loads Meta's SDK (or the sandbox's stand-in) from. */
  embeddedSignupOrigins?: string[];
  https: boolean;
};

export function contentSecurityPolicyFor(pathname: string, options: CspOptions): string {
  const es = /^\/onboarding\/embedded-signup$/.test(pathname) ? (options.embeddedSignupOrigins ?? []) : [];
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${options.nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (partner accent colour) are low risk; scripts are what the nonce guards.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self'",
    `connect-src 'self'${es.length ? ` ${es.join(" ")}` : ""}`,
    `frame-src ${es.length ? es.join(" ") : "'none'"}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (options.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/**
 * Pages that carry onboarding secrets in their URL (the redirect query, a status or invite token): never sent
 * on as a Referer, never stored by a cache (docs/security.md R16).
 */
const PRIVATE_URLS = [/^\/onboarding\//, /^\/join\//];

/**
 * The staff invite page and the password-reset page (docs/accounts.md §4) hold a form: under `no-referrer` a browser posts it with `Origin: null`, which Next
 * refuses for a server action, so without JavaScript the invite could not be accepted. `same-origin` still
 * sends nothing to another site and keeps the real Origin on the portal's own POST.
 */
const PRIVATE_FORM_URLS = [/^\/invite\//, /^\/reset-password\//];

export function privacyHeadersFor(pathname: string): Record<string, string> {
  const noStore = "no-store, max-age=0";
  if (PRIVATE_URLS.some((re) => re.test(pathname))) return { "Referrer-Policy": "no-referrer", "Cache-Control": noStore };
  if (PRIVATE_FORM_URLS.some((re) => re.test(pathname))) return { "Referrer-Policy": "same-origin", "Cache-Control": noStore };
  return {};
}
