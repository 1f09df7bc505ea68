import { describe, expect, it } from "vitest";
import { safeCallbackPath, sameOriginRedirect } from "./callback-url";

const BASE = "https://portal.example.test";

// docs/security.md R13: every redirect parameter, ≥ 30 payloads; the three (`\/evil.test`, `%2F%2Fevil.test`, `〱evil.test`)
// made next-auth's default redirect callback throw "Invalid URL" (a 500).
const HOSTILE = [
  "\\/evil.test",
  "%2F%2Fevil.test",
  "〱evil.test",
  "//evil.test",
  "///evil.test",
  "/\\evil.test",
  "\\\\evil.test",
  "/\\/evil.test",
  "https:evil.test",
  "https:/evil.test",
  "https://evil.test",
  "http://evil.test/dashboard",
  "HTTPS://EVIL.TEST",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "https://portal.example.test@evil.test",
  "https://portal.example.test.evil.test",
  "https://evil.test#https://portal.example.test",
  "https://evil.test?https://portal.example.test",
  "http://portal.example.test", // other scheme, other origin
  "https://portal.example.test:8443/dashboard",
  "//portal.example.test@evil.test",
  "/%09/evil.test",
  "\t//evil.test",
  " //evil.test",
  "\n//evil.test",
  "//evil.test%2F..",
  "〱〱evil.test",
  "／／evil.test",
  "%5C%5Cevil.test",
  "ftp://evil.test",
  "",
];

describe("sameOriginRedirect (next-auth's redirect callback)", () => {
  it.each(HOSTILE)("%j never throws and never leaves the portal", (payload) => {
    const target = sameOriginRedirect(payload, BASE);
    expect(new URL(target).origin).toBe(BASE);
  });

  it("answers non-strings and oversized values with the dashboard", () => {
    for (const value of [undefined, null, 42, ["/dashboard"], { url: "/dashboard" }, `/${"a".repeat(5000)}`]) {
      expect(sameOriginRedirect(value, BASE)).toBe(`${BASE}/dashboard`);
    }
  });

  it("keeps relative and same-origin targets, as next-auth's default does", () => {
    expect(sameOriginRedirect("/login", BASE)).toBe(`${BASE}/login`);
    expect(sameOriginRedirect("/dashboard/audit?page=2", BASE)).toBe(`${BASE}/dashboard/audit?page=2`);
    expect(sameOriginRedirect(`${BASE}/dashboard/users`, BASE)).toBe(`${BASE}/dashboard/users`);
  });

  it("sends the cross-origin ones to the dashboard", () => {
    expect(sameOriginRedirect("https://evil.test/x", BASE)).toBe(`${BASE}/dashboard`);
    expect(sameOriginRedirect("//evil.test", BASE)).toBe(`${BASE}/dashboard`);
  });
});

describe("safeCallbackPath (where the sign-in form sends the browser)", () => {
  it.each(HOSTILE)("%j becomes /dashboard", (payload) => {
    expect(safeCallbackPath(payload)).toBe("/dashboard");
  });

  it("keeps dashboard paths only", () => {
    expect(safeCallbackPath("/dashboard/audit")).toBe("/dashboard/audit");
    expect(safeCallbackPath("/dashboard/clients?q=acme")).toBe("/dashboard/clients?q=acme");
    expect(safeCallbackPath("/login")).toBe("/dashboard");
    expect(safeCallbackPath(["/dashboard/audit"])).toBe("/dashboard");
  });
});
