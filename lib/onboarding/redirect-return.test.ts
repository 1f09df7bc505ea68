import { describe, expect, it } from "vitest";
import { isRedirectReturn, redirectReturnRewrite } from "./redirect-return";

describe("redirectReturnRewrite", () => {
  it("sends the Connect Button's host pages with 360dialog's query to the redirect page", () => {
    for (const path of ["/", "/join/abc", "/join/" + "a".repeat(43)]) {
      for (const query of ["client=c1&channels=[ch1]", "state=s", "revoked=[x]", "channels=[a]"]) {
        expect(redirectReturnRewrite(path, new URLSearchParams(query))).toBe("/onboarding/redirect");
      }
    }
  });

  it("leaves every other request alone", () => {
    expect(redirectReturnRewrite("/", new URLSearchParams("lang=de&hub=h1"))).toBeNull();
    expect(redirectReturnRewrite("/join/abc", new URLSearchParams(""))).toBeNull();
    expect(redirectReturnRewrite("/join/abc/x", new URLSearchParams("client=c"))).toBeNull();
    expect(redirectReturnRewrite("/dashboard", new URLSearchParams("client=c"))).toBeNull();
    expect(redirectReturnRewrite("/onboarding/status/t", new URLSearchParams("state=s"))).toBeNull();
  });
});

describe("isRedirectReturn", () => {
  it("reads search params and the App Router's params object alike", () => {
    expect(isRedirectReturn({ client: "c" })).toBe(true);
    expect(isRedirectReturn({ lang: "de" })).toBe(false);
    expect(isRedirectReturn(new URLSearchParams("state="))).toBe(true);
  });
});
