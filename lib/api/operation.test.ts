import { describe, expect, it } from "vitest";
import { etagOf, matchesIfNoneMatch } from "./operation";
import { hashApiToken, isApiTokenShape, newApiToken } from "./tokens";

describe("ETag and If-None-Match (RFC 9110 §13.1.2)", () => {
  const tag = etagOf('{"a":1}');
  it("is strong, stable for equal bodies and different for different ones", () => {
    expect(tag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(etagOf('{"a":1}')).toBe(tag);
    expect(etagOf('{"a":2}')).not.toBe(tag);
  });
  it("matches a listed tag, a weak form of it, and *; nothing else", () => {
    expect(matchesIfNoneMatch(tag, tag)).toBe(true);
    expect(matchesIfNoneMatch(`"x", W/${tag}`, tag)).toBe(true);
    expect(matchesIfNoneMatch("*", tag)).toBe(true);
    expect(matchesIfNoneMatch('"x"', tag)).toBe(false);
    expect(matchesIfNoneMatch(null, tag)).toBe(false);
  });
});

describe("API tokens", () => {
  it("are ppt_ plus 43 base64url characters, distinct, and hashed to 64 hex digits", () => {
    const a = newApiToken();
    expect(isApiTokenShape(a)).toBe(true);
    expect(newApiToken()).not.toBe(a);
    expect(hashApiToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(isApiTokenShape(`${a}x`)).toBe(false);
    expect(isApiTokenShape("ppt_short")).toBe(false);
  });
});
