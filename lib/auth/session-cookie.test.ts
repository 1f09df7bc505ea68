import { describe, expect, it } from "vitest";
import { parseEnv } from "../env";
import { sessionCookie, sessionMaxAgeSeconds } from "./session-cookie";

const secrets = { NEXTAUTH_SECRET: "x".repeat(40), APP_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 1).toString("base64")}` };

// The sign-in form and the password change set this cookie themselves; next-auth and the proxy must find it.
describe("sessionCookie", () => {
  it("is next-auth's __Secure- cookie behind an https public URL", () => {
    const cookie = sessionCookie(parseEnv({ ...secrets, NEXTAUTH_URL: "https://portal.example.test" }));
    expect(cookie).toEqual({
      name: "__Secure-next-auth.session-token",
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: true },
    });
  });

  it("is the plain name on http (local development)", () => {
    const cookie = sessionCookie(parseEnv({ ...secrets, PORT: "3100" }));
    expect(cookie.name).toBe("next-auth.session-token");
    expect(cookie.options.secure).toBe(false);
  });

  it("lives as long as the session", () => {
    expect(sessionMaxAgeSeconds(parseEnv({ ...secrets, SESSION_MAX_AGE_HOURS: "2" }))).toBe(7200);
  });
});
