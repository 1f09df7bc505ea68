import { beforeAll, describe, expect, it } from "vitest";
import { setTestAppEnv } from "@/test/db/use-as-app-db";
import {
  browserBindingCookie,
  browserBindingCookieName,
  ensureBrowserBinding,
  hashToken,
  isToken,
  newToken,
  readBrowserBinding,
  sameHash,
  statusTokenFor,
} from "./tokens";

describe("onboarding tokens", () => {
  beforeAll(() => setTestAppEnv({ NEXTAUTH_URL: "http://localhost:3000" }));

  it("makes 32-byte base64url tokens, all different", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newToken()));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) {
      expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(t, "base64url")).toHaveLength(32);
      expect(isToken(t)).toBe(true);
    }
    expect(newToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it("hashes with sha256 hex and compares hashes in constant time", () => {
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sameHash(hashToken("a"), hashToken("a"))).toBe(true);
    expect(sameHash(hashToken("a"), hashToken("b"))).toBe(false);
    expect(sameHash(hashToken("a"), null)).toBe(false);
    expect(sameHash("", "")).toBe(false);
  });

  it("derives a stable, session-specific status token", () => {
    const a = statusTokenFor("4f7c6a58-2a3f-4d59-9a8b-2a6f0f6d8a11");
    expect(a).toBe(statusTokenFor("4f7c6a58-2a3f-4d59-9a8b-2a6f0f6d8a11"));
    expect(a).not.toBe(statusTokenFor("4f7c6a58-2a3f-4d59-9a8b-2a6f0f6d8a12"));
    expect(isToken(a)).toBe(true);
  });

  it("accepts only well-formed binding cookies and makes one when absent", () => {
    const good = newToken();
    expect(readBrowserBinding(good)).toBe(good);
    for (const bad of [undefined, null, "", "short", `${good}x`, `${good.slice(0, 42)}=`]) expect(readBrowserBinding(bad)).toBeNull();
    expect(ensureBrowserBinding(good)).toEqual({ value: good, isNew: false });
    const made = ensureBrowserBinding("junk");
    expect(made.isNew).toBe(true);
    expect(isToken(made.value)).toBe(true);
  });

  it("sets the binding cookie HttpOnly, SameSite=Lax, path /, one day; Secure and __Host- only on https", () => {
    setTestAppEnv({ NEXTAUTH_URL: "http://localhost:3000" });
    expect(browserBindingCookie("v")).toEqual({ name: "portal_ob", value: "v", httpOnly: true, sameSite: "lax", secure: false, path: "/", maxAge: 86_400 });
    setTestAppEnv({ NEXTAUTH_URL: "https://portal.example.com" });
    expect(browserBindingCookieName()).toBe("__Host-portal_ob");
    expect(browserBindingCookie("v")).toMatchObject({ secure: true, httpOnly: true, sameSite: "lax", path: "/" });
    setTestAppEnv({ NEXTAUTH_URL: "http://localhost:3000" });
  });
});
