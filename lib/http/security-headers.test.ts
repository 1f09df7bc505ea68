import { describe, expect, it } from "vitest";
import { contentSecurityPolicyFor, openerPolicyFor, privacyHeadersFor } from "./security-headers";

describe("openerPolicyFor", () => {
  it.each([
    ["/", "unsafe-none"],
    ["/join/abc", "unsafe-none"],
    ["/onboarding/redirect", "unsafe-none"],
    ["/dashboard/settings/hubs/0b0e/try", "unsafe-none"],
    ["/onboarding/embedded-signup", "same-origin-allow-popups"],
    ["/dashboard", "same-origin-allow-popups"],
    ["/dashboard/settings", "same-origin-allow-popups"],
    ["/login", "same-origin"],
    ["/join/abc/extra", "same-origin"],
    ["/onboarding/redirect/x", "same-origin"],
  ])("%s → %s", (path, policy) => {
    expect(openerPolicyFor(path)).toBe(policy);
  });
});

describe("contentSecurityPolicyFor", () => {
  const base = { nonce: "n0nce", dev: false, https: true, embeddedSignupOrigins: ["http://localhost:8082"] };

  it("guards scripts with the nonce and strict-dynamic, and forbids framing, objects and base changes", () => {
    const csp = contentSecurityPolicyFor("/dashboard", base);
    expect(csp).toContain("script-src 'self' 'nonce-n0nce' 'strict-dynamic'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("upgrade-insecure-requests");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toContain("localhost:8082");
  });

  it("allows eval only in development and skips the https upgrade on plain http", () => {
    const csp = contentSecurityPolicyFor("/", { ...base, dev: true, https: false });
    expect(csp).toContain("'unsafe-eval'");
    expect(csp).not.toContain("upgrade-insecure-requests");
  });

  it("opens connect and frame sources to the Embedded Signup origins on that page only", () => {
    const csp = contentSecurityPolicyFor("/onboarding/embedded-signup", base);
    expect(csp).toContain("connect-src 'self' http://localhost:8082");
    expect(csp).toContain("frame-src http://localhost:8082");
  });
});

describe("privacyHeadersFor", () => {
  it("keeps onboarding URLs out of Referer headers and caches", () => {
    expect(privacyHeadersFor("/onboarding/redirect")).toEqual({ "Referrer-Policy": "no-referrer", "Cache-Control": "no-store, max-age=0" });
    expect(privacyHeadersFor("/onboarding/status/abc")["Referrer-Policy"]).toBe("no-referrer");
    expect(privacyHeadersFor("/join/tok")["Cache-Control"]).toContain("no-store");
    expect(privacyHeadersFor("/invite/tok")).toEqual({ "Referrer-Policy": "same-origin", "Cache-Control": "no-store, max-age=0" });
    expect(privacyHeadersFor("/dashboard")).toEqual({});
  });
});
