import { describe, expect, it } from "vitest";
import { decodeInviteCursor, defaultInviteExpiry, encodeInviteCursor, inviteFormSchema } from "./invites";

const HUB = "6f1c1c9e-3b1e-4d2a-9a51-0c7d2f0e9b11";

describe("invite list and form input", () => {
  it("round-trips the keyset cursor and drops anything else", () => {
    const cursor = { createdAt: "2025-11-21 10:27:33.123456+00", id: "0b9d5f3c-2f55-4c7e-8f5d-7a2b1f7c9e10" };
    expect(decodeInviteCursor(encodeInviteCursor(cursor))).toEqual(cursor);
    for (const bad of [undefined, "", "x_y", `2025-11-21 10:27:33+00_not-a-uuid`, `'; drop table invites; --_${cursor.id}`, `2025-11-21 10:27:33+00 or 1=1_${cursor.id}`]) {
      expect(decodeInviteCursor(bad)).toBeUndefined();
    }
  });

  it("nests the flat form fields, reads a date as the end of that day (UTC) and reports errors by field", () => {
    const today = new Date().toISOString().slice(0, 10);
    const parsed = inviteFormSchema.parse({
      hubId: HUB,
      label: "Acme",
      purpose: "permission",
      "prefill.email": "ana@acme.test",
      "prefill.number": "+49 151 1234 5678",
      "prefill.lang": "",
      expiresAt: today,
      maxUses: "",
    });
    expect(parsed).toMatchObject({ hubId: HUB, label: "Acme", purpose: "permission", prefill: { email: "ana@acme.test", number: "+4915112345678" }, maxUses: undefined });
    expect(parsed.prefill.lang).toBeUndefined();
    expect(parsed.expiresAt!.toISOString()).toBe(`${today}T23:59:59.999Z`);

    const bad = inviteFormSchema.safeParse({ hubId: HUB, "prefill.email": "nope", "prefill.planSelection": "Gold!", expiresAt: "2001-01-01", maxUses: "0" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join(".")).sort()).toEqual(["expiresAt", "maxUses", "prefill.email", "prefill.planSelection"]);
  });

  it("defaults the expiry to 14 days ahead", () => {
    expect(defaultInviteExpiry(new Date("2025-01-30T23:00:00Z"))).toBe("2025-02-13");
  });
});
