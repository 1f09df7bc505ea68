import { describe, expect, it } from "vitest";
import { devOrigins } from "./dev-origins";

describe("development origins", () => {
  it("allows every loopback name without any configuration", () => {
    expect(devOrigins({})).toEqual(["localhost", "127.0.0.1", "[::1]"]);
  });

  it("adds the public URL's host, without scheme or port", () => {
    expect(devOrigins({ NEXTAUTH_URL: "https://Portal.Example.com:8443/base" })).toContain("portal.example.com");
    expect(devOrigins({ NEXTAUTH_URL: "http://192.168.1.20:3000" })).toContain("192.168.1.20");
    expect(devOrigins({ NEXTAUTH_URL: "http://localhost:3000" })).toHaveLength(3);
  });

  it("ignores a malformed public URL (the server's own check reports it)", () => {
    expect(devOrigins({ NEXTAUTH_URL: "not a url" })).toEqual(["localhost", "127.0.0.1", "[::1]"]);
  });
});
