import { describe, expect, it } from "vitest";
import { fieldErrorsOf } from "../errors";
import { hubSettingsSchema, urlProblem } from "./settings";

// docs/hub-settings.md §6: every value the issue names is refused with an error on its own field.

const good = {
  name: "Live hub",
  partnerId: "f167CmPA",
  partnerApiBaseUrl: "https://hub.360dialog.io",
  ioBaseUrl: "https://hub.360dialog.com/dashboard/app",
  ioVersion: "v1",
  messagingBaseUrl: "https://waba-v2.360dialog.io",
  paymentMode: "partner",
  ioSignature: "off",
  authKind: "api_key",
  apiKey: "key",
};

function errorsFor(patch: Record<string, string>) {
  const parsed = hubSettingsSchema.safeParse({ ...good, ...patch });
  return parsed.success ? {} : fieldErrorsOf(parsed.error.issues);
}

describe("hub settings validation", () => {
  it("accepts the documented production values and a local sandbox over http", () => {
    expect(hubSettingsSchema.safeParse(good).success).toBe(true);
    const local = hubSettingsSchema.safeParse({ ...good, partnerApiBaseUrl: "http://localhost:8082/", ioBaseUrl: "http://127.0.0.1:8082/dashboard/app", messagingBaseUrl: "http://[::1]:8082" });
    expect(local.success).toBe(true);
    // Stored without the trailing slash lib/hub would double.
    expect(local.success && local.data.partnerApiBaseUrl).toBe("http://localhost:8082");
  });

  it.each([
    ["partnerApiBaseUrl", "localhost:8082", /starting with https:\/\//],
    ["partnerApiBaseUrl", "javascript:alert(1)", /Only https:\/\//],
    ["partnerApiBaseUrl", "JavaScript:alert(1)//", /Only https:\/\//],
    ["partnerApiBaseUrl", "http://hub.360dialog.io", /Use https:\/\//],
    ["partnerApiBaseUrl", "https://hub.360dialog.io/api/v2", /Leave out \/api\/v2/],
    ["partnerApiBaseUrl", "https://user:pw@hub.360dialog.io", /credentials/],
    ["partnerApiBaseUrl", "https://hub.360dialog.io/?x=1", /query/],
    ["partnerApiBaseUrl", "not a url", /starting with https:\/\//],
    ["ioBaseUrl", "ftp://hub.360dialog.com/dashboard/app", /not ftp:/],
    ["ioBaseUrl", "data:text/html,hi", /Only https:\/\//],
    ["messagingBaseUrl", "file:///etc/passwd", /Only https:\/\//],
    ["channelWebhookUrl", "http://crm.example.com/hook", /Use https:\/\//],
    ["channelWebhookUrl", "javascript:alert(1)", /Only https:\/\//],
    ["partnerId", "f167Cm", /ending in PA/],
    ["partnerId", "sandbox-PA", /ending in PA/],
    ["partnerId", "PA", /ending in PA/],
  ])("refuses %s = %j with an error on that field", (field, value, message) => {
    const errors = errorsFor({ [field]: value });
    expect(Object.keys(errors)).toEqual([field]);
    expect(errors[field]?.join(" ")).toMatch(message);
  });

  it("urlProblem allows https with a path and refuses every other scheme", () => {
    expect(urlProblem("https://staging.example.com/hub", { kind: "base" })).toBeNull();
    for (const bad of ["gopher://x", "ws://localhost", "mailto:a@b.c", "//hub.360dialog.io"]) expect(urlProblem(bad, { kind: "base" })).not.toBeNull();
  });

  it("says the allowed range when a number of minutes or hours is out of it", () => {
    expect(errorsFor({ stuckNoKeyMinutes: "99999999" }).stuckNoKeyMinutes).toEqual(["Enter a whole number of minutes from 1 to 1440."]);
    expect(errorsFor({ templateSyncMinutes: "-1" }).templateSyncMinutes).toEqual(["Enter a whole number of minutes from 0 to 1440 (0 turns the schedule off)."]);
    expect(errorsFor({ stuckNotRunningHours: "1.5" }).stuckNotRunningHours).toEqual(["Enter a whole number of hours from 1 to 2160."]);
    expect(errorsFor({ stuckNoPermissionHours: "soon" }).stuckNoPermissionHours).toEqual(["Enter a whole number of hours from 1 to 2160."]);
  });
});
