import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseWebhookBody, parseWebhookEvent } from "./events";
import { carriesMessages, metaEventName, parseMetaWebhook } from "./meta-events";

// Contract fixtures: Meta's payloads as its webhook reference and real integrations show them (docs/waba-webhook.md §6).
const DIR = path.join(process.cwd(), "test/fixtures/meta");
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(DIR, `${name}.json`), "utf8"));
const only = (name: string) => {
  const parsed = parseMetaWebhook(fixture(name));
  expect(parsed?.changes).toHaveLength(1);
  return parsed!.changes[0]!;
};

const WABA = "102290129340398";

describe("Meta's WABA webhook, from the contract fixtures", () => {
  it("every fixture parses, names its field and is read as kind meta by the partner-event parser too", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(15);
    for (const file of files) {
      const json: unknown = JSON.parse(readFileSync(path.join(DIR, file), "utf8"));
      const parsed = parseMetaWebhook(json);
      expect(parsed, file).not.toBeNull();
      expect(parsed!.changes[0]!.field, file).toBe(file.split(".")[0]);
      expect(parseWebhookEvent(json), file).toMatchObject({ kind: "meta", event: file.split(".")[0] });
    }
  });

  it("message_template_status_update: verdict, reason, category; a numeric template id becomes text", () => {
    expect(only("message_template_status_update.approved")).toMatchObject({
      field: "message_template_status_update",
      wabaId: WABA,
      time: new Date(1745501204 * 1000),
      templateId: "1689556908129832",
      templateName: "order_confirmation",
      language: "en_US",
      status: "APPROVED",
      reason: "NONE",
      category: "UTILITY",
    });
    expect(only("message_template_status_update.rejected")).toMatchObject({ status: "REJECTED", reason: "INVALID_FORMAT" });
    expect(only("message_template_status_update.paused")).toMatchObject({ status: "PAUSED", title: "FIRST_PAUSE", description: expect.stringContaining("paused for 3 hours") });
    expect(only("message_template_status_update.disabled")).toMatchObject({ status: "DISABLED", disableDate: "1745674100" });
  });

  it("template category and quality updates", () => {
    expect(only("template_category_update")).toMatchObject({ templateId: "1689556908129832", previousCategory: "UTILITY", newCategory: "MARKETING" });
    expect(only("template_category_update.impending")).toMatchObject({ correctCategory: "MARKETING", newCategory: "UTILITY", categoryUpdateTimestamp: "1746019600" });
    expect(only("message_template_quality_update")).toMatchObject({ templateName: "order_confirmation", language: "en_US", previousScore: "GREEN", newScore: "YELLOW" });
  });

  it("number and account events", () => {
    expect(only("phone_number_quality_update")).toMatchObject({ displayPhoneNumber: "15550783881", event: "UPGRADE", currentLimit: "TIER_10K", oldLimit: "TIER_1K" });
    expect(only("phone_number_name_update")).toMatchObject({ decision: "REJECTED", requestedName: "Lucky Shrub", rejectionReason: "NAME_FORMAT_UNACCEPTABLE" });
    expect(only("account_update.restriction")).toMatchObject({
      event: "ACCOUNT_RESTRICTION",
      restrictions: [
        { type: "RESTRICTED_BIZ_INITIATED_MESSAGING", expiration: "2026-04-19T13:59:20+0000" },
        { type: "RESTRICTED_ADD_PHONE_NUMBER_ACTION", expiration: "2026-04-19T13:59:20+0000" },
      ],
    });
    expect(only("account_update.ban")).toMatchObject({ event: "DISABLED_UPDATE", banState: "DISABLE", banDate: "2026-05-02", restrictions: [] });
    expect(only("account_alerts")).toMatchObject({ entityType: "PHONE_NUMBER", severity: "WARNING", alertType: "INCREASED_CAPABILITIES_ELIGIBILITY_DEFERRED" });
    expect(only("business_capability_update")).toMatchObject({ maxDailyConversations: "2000", maxPhoneNumbersPerBusiness: "2", maxPhoneNumbersPerWaba: "2" });
  });

  it("message traffic is recognised and counted, never taken apart", () => {
    const inbound = parseMetaWebhook(fixture("messages.inbound"))!;
    expect(carriesMessages(inbound)).toBe(true);
    expect(inbound.changes[0]).toMatchObject({ field: "messages", phoneNumberId: "106540352242922", displayPhoneNumber: "15550783881", messages: 1, statuses: 0 });
    expect(parseMetaWebhook(fixture("messages.status"))!.changes[0]).toMatchObject({ field: "messages", messages: 0, statuses: 1 });
    expect(carriesMessages(parseMetaWebhook(fixture("phone_number_quality_update"))!)).toBe(false);
  });

  it("several entries and changes keep their order; unknown fields are kept by name; the inbox names each field once", () => {
    const body = {
      object: "whatsapp_business_account",
      entry: [
        { id: "1", changes: [{ field: "message_template_status_update", value: { event: "APPROVED" } }, { field: "smb_app_state_sync", value: {} }] },
        { id: 2, time: "not a number", changes: [{ field: "message_template_status_update", value: { event: "REJECTED" } }, { value: {} }, "junk"] },
        "junk",
      ],
    };
    const parsed = parseMetaWebhook(body)!;
    expect(parsed.changes.map((c) => [c.field, c.wabaId])).toEqual([
      ["message_template_status_update", "1"],
      ["unknown", "1"],
      ["message_template_status_update", "2"],
    ]);
    expect(parsed.changes[2]!.time).toBeUndefined();
    expect(metaEventName(parsed)).toBe("message_template_status_update+smb_app_state_sync");
  });

  it("a body in another shape is not Meta's", () => {
    expect(parseMetaWebhook({ object: "page", entry: [] })).toBeNull();
    expect(parseMetaWebhook({ entry: [] })).toBeNull();
    expect(parseMetaWebhook([])).toBeNull();
    expect(parseWebhookBody('{"event":"channel_created","data":{"id":"c1"}}').kind).toBe("channel");
  });

  it("never throws, whatever the JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        parseMetaWebhook(value);
        parseMetaWebhook({ object: "whatsapp_business_account", entry: [value, { id: value, changes: [value, { field: "account_update", value }] }] });
      }),
    );
  });
});

describe("the partner path keeps accepting a template event in whatever shape it comes", () => {
  it("360dialog's envelope around Meta's change value, around a whole change, or around a whole Meta body", () => {
    const value = { event: "REJECTED", message_template_id: 42, message_template_name: "hello", message_template_language: "de", reason: "SCAM" };
    const expected = { kind: "template", change: "status", templateId: "42", templateName: "hello", language: "de", status: "REJECTED", reason: "SCAM" };
    expect(parseWebhookEvent({ id: "e1", event: "message_template_status_update", data: value })).toMatchObject(expected);
    expect(parseWebhookEvent({ id: "e2", event: "waba_template_status_changed", data: { field: "message_template_status_update", value } })).toMatchObject(expected);
    const whole = { object: "whatsapp_business_account", entry: [{ id: "w1", changes: [{ field: "message_template_status_update", value }] }] };
    expect(parseWebhookEvent({ id: "e3", event: "waba_template_status_changed", data: whole })).toMatchObject({ kind: "meta", eventId: "e3", changes: [{ field: "message_template_status_update", templateName: "hello", wabaId: "w1" }] });
    expect(parseWebhookEvent({ event: "waba_template_status_changed", data: { id: "t1", name: "n", language: "en", status: "approved" } })).toMatchObject({ kind: "template", templateId: "t1", status: "approved" });
  });
});
