import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromStoredPrefill, pickPublicPrefill, prefillSchema, safeReturnPath, toStoredPrefill } from "./prefill";

describe("prefill", () => {
  it("normalises a phone number and stores IO parameter names", () => {
    const parsed = prefillSchema.parse({
      email: " ana@client.test ",
      name: "Ana",
      number: "+49 (151) 234-567 89",
      planSelection: "premium",
      partnerPayload: "crm-42",
      lang: "de",
      clientId: "AbCdEfGhCL",
    });
    expect(toStoredPrefill(parsed)).toEqual({
      email: "ana@client.test",
      name: "Ana",
      number: "+4915123456789",
      plan_selection: "premium",
      partner: "crm-42",
      lang: "de",
      client_id: "AbCdEfGhCL",
    });
    expect(fromStoredPrefill(toStoredPrefill(parsed))).toEqual({ ...parsed, number: "+4915123456789" });
  });

  it("treats blank fields as absent and refuses bad values with field messages", () => {
    expect(prefillSchema.parse({ email: "", name: "  ", number: "" })).toEqual({});
    const bad = prefillSchema.safeParse({ email: "nope", number: "12", planSelection: "Gold!", lang: "fr", name: "a\u0000b", clientId: "a b" });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths.sort()).toEqual(["clientId", "email", "lang", "name", "number", "planSelection"]);
  });

  it("drops stored values that no longer validate", () => {
    expect(fromStoredPrefill({ email: "x", number: "+491512345678", lang: "xx", other: "y" })).toEqual({ number: "+491512345678" });
    expect(fromStoredPrefill(null)).toEqual({});
  });

  it("lets anonymous visitors set contact fields only", () => {
    expect(pickPublicPrefill({ email: "a@b.test", partnerPayload: "x", planSelection: "premium", clientId: "abcCL", lang: "en" })).toEqual({
      email: "a@b.test",
      lang: "en",
    });
  });

  it("accepts only / and /join/<token> as a Connect Button page (R13)", () => {
    const token = "A".repeat(43);
    expect(safeReturnPath("/")).toBe("/");
    expect(safeReturnPath(`/join/${token}`)).toBe(`/join/${token}`);
    const payloads = [
      "//evil.test",
      "/\\evil.test",
      "https:evil.test",
      "https://evil.test",
      "javascript:alert(1)",
      "%2F%2Fevil.test",
      "https://portal@evil.test",
      `/join/${token}/../../evil`,
      `/join/${token}?x=//evil.test`,
      `/join/${token}#//evil.test`,
      "/join/",
      "/dashboard",
      " /",
      "/ ",
      "",
    ];
    for (const p of payloads) expect(safeReturnPath(p)).toBeNull();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = safeReturnPath(s);
        return r === null || r === "/" || /^\/join\/[A-Za-z0-9_-]{43}$/.test(r);
      }),
      { numRuns: 2000 },
    );
  });
});
