import { describe, expect, it } from "vitest";
import { funnelStepWords, prefillSummary, readablePrefill, sessionErrorWords, sessionStatusWords, usesWords } from "./invite-words";

describe("invite words", () => {
  it("names every funnel step of the issue in plain words, with what the detail adds", () => {
    expect(["link_opened", "landing_viewed", "popup_opened", "redirect_received", "client_confirmed", "channel_created", "channel_running"].map((k) => funnelStepWords(k, null))).toEqual([
      "Link opened",
      "Landing page viewed",
      "Popup opened",
      "Redirect received",
      "Client confirmed",
      "Channel created",
      "Channel running",
    ]);
    expect(funnelStepWords("link_opened", { state: "revoked" })).toBe("Link opened (the link was revoked then)");
    expect(funnelStepWords("popup_opened", { method: "permission" })).toBe("Popup opened (Permission screen)");
    expect(funnelStepWords("channel_running", { channelId: "abcCH" })).toBe("Channel running: abcCH");
    expect(funnelStepWords("redirect_received", { channels: 1, revoked: 0 })).toBe("Redirect received (1 number)");
    expect(funnelStepWords("es_cancel", { currentStep: "PHONE_NUMBER_VERIFICATION" })).toBe("Embedded Signup cancelled at step PHONE_NUMBER_VERIFICATION");
    expect(funnelStepWords("something_new", { channelId: { nested: true } })).toBe("Step something_new");
  });

  it("says when a started session has run out, and explains stored errors", () => {
    const past = new Date(Date.now() - 1000);
    expect(sessionStatusWords({ status: "started", expiresAt: past, consumedAt: null })).toBe("Expired before the client finished");
    expect(sessionStatusWords({ status: "started", expiresAt: new Date(Date.now() + 60_000), consumedAt: null })).toMatch(/^Started/);
    expect(sessionStatusWords({ status: "completed", expiresAt: past, consumedAt: past })).toMatch(/^Completed/);
    expect(sessionErrorWords("client_not_ours")).toMatch(/did not confirm the client/);
    expect(sessionErrorWords("cancelled at WABA_SELECTION")).toBe("The client closed Meta's signup at step WABA_SELECTION.");
    expect(sessionErrorWords("embedded signup error: Popup closed")).toBe("Meta's signup reported an error: Popup closed");
    expect(sessionErrorWords(null)).toBeNull();
  });

  it("summarises a prefill and counts uses", () => {
    const prefill = { name: "Ana", email: "ana@acme.test", number: "+4915112345678", planSelection: "premium", partnerPayload: "crm-7", lang: "de" as const };
    expect(prefillSummary(prefill)).toBe("Ana · ana@acme.test · +4915112345678 · plan premium · CRM crm-7 · Deutsch");
    expect(readablePrefill({ lang: "en", email: "a@b.test" })).toEqual([["Email", "a@b.test"], ["Language", "English"]]);
    expect(prefillSummary({})).toBe("");
    expect(usesWords(0, null)).toBe("0 (no limit)");
    expect(usesWords(2, 5)).toBe("2 of 5");
  });
});
