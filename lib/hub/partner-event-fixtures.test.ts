import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { externalIdsOf, isCancellationEvent, parseWebhookEvent } from "./events";

// The contract fixtures of docs/channel-lifecycle.md (test/fixtures/partner-events): each payload as the
// documentation or a real integration shows it, read by the protocol parser.

const DIR = join(process.cwd(), "test/fixtures/partner-events");
const load = (name: string) => JSON.parse(readFileSync(join(DIR, name), "utf8")) as Record<string, unknown>;

describe("partner event fixtures", () => {
  it("every fixture parses to a kind the portal applies (never unknown or invalid)", () => {
    const names = readdirSync(DIR).filter((n) => n.endsWith(".json"));
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) expect(["channel", "account"], name).toContain(parseWebhookEvent(load(name)).kind);
  });

  it("cancellation events are channel events carrying terminated_at, quality and limit", () => {
    for (const name of ["cancellation_request", "cancellation_revoke", "cancellation_processed"]) {
      const body = load(`${name}.json`);
      const parsed = parseWebhookEvent(body);
      expect(isCancellationEvent(name)).toBe(true);
      expect(parsed).toMatchObject({ kind: "channel", event: name, eventId: body.id, channel: { id: "rT4pXyCH", clientId: "cL1eNt01", status: "running", messagingLimit: "TIER_1K", qualityRating: "GREEN" } });
      expect(externalIdsOf(parsed)).toEqual({ clientId: "cL1eNt01", channelId: "rT4pXyCH" });
    }
    expect(parseWebhookEvent(load("cancellation_request.json"))).toMatchObject({ channel: { terminatedAt: "2026-11-30T23:59:59.000Z" } });
    expect(parseWebhookEvent(load("cancellation_revoke.json"))).toMatchObject({ channel: { terminatedAt: undefined } });
    // Without the channel id there is nothing to apply it to: kept as unknown, with its body.
    expect(parseWebhookEvent({ event: "cancellation_request", data: { enabled: true } })).toMatchObject({ kind: "unknown", reason: "channel event without data.id" });
  });

  it("account events keep the violation type, and Meta's restriction shape when it comes that way", () => {
    expect(parseWebhookEvent(load("account_violation.json"))).toMatchObject({ kind: "account", event: "account_violation", phoneNumber: "4915123456789", violationType: "SCAM" });
    expect(parseWebhookEvent(load("account_restriction.json"))).toMatchObject({ kind: "account", event: "account_restriction", violationType: "SPAM" });
    expect(parseWebhookEvent(load("account_restriction-meta-shape.json"))).toMatchObject({
      kind: "account",
      phoneNumber: "+49 151 23456789",
      restrictionType: "RESTRICTED_BIZ_INITIATED_MESSAGING",
      restrictionExpiresAt: "2026-12-08T07:09:27.000Z",
    });
    expect(parseWebhookEvent({ event: "account_violation", data: { violation_info: { violation_type: "ADULT" } } })).toMatchObject({ violationType: "ADULT" });
  });
});
