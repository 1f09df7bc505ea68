import { describe, expect, it } from "vitest";
import { resolveClientIp } from "./client-ip";

describe("resolveClientIp", () => {
  it("ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(resolveClientIp("::ffff:10.0.0.9", "1.2.3.4", 0)).toBe("10.0.0.9");
  });
  it("takes the address our one proxy appended, not what the client wrote", () => {
    expect(resolveClientIp("10.0.0.2", "6.6.6.6, 203.0.113.7", 1)).toBe("203.0.113.7");
  });
  it("walks two trusted hops from the right", () => {
    expect(resolveClientIp("10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.3", 2)).toBe("203.0.113.7");
  });
  it("falls back to the leftmost entry when the chain is shorter than the hops", () => {
    expect(resolveClientIp("10.0.0.2", "", 3)).toBe("10.0.0.2");
  });
});
