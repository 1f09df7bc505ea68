import { describe, expect, it } from "vitest";
import { maskPhoneNumber, REDACTED, redactWebhookBody, redactWebhookPayload } from "./redact";

const channelRunning = {
  id: "evt_1",
  event: "channel_running",
  data: {
    id: "ch_1",
    status: "running",
    phone_number: "+49 151 2345 6789",
    client: {
      id: "cl_1",
      name: "Acme",
      contact_info: { email: "a@b.c", phone: "+4915199990000", full_name: "Ann Example" },
    },
    setup_info: { phone_number: "4915122223333", phone_name: "Acme Support" },
    api_key: "sk_live_abcdef",
    integration: { app_id: "app_1", token: { value: "t0k3n" } },
    signature: "deadbeef",
    Password: "hunter2",
    "D360-API-KEY": "k",
    note: "call me on +44 20 7946 0958 please",
    waba_account: { id: "1234567890123" },
  },
};

describe("redactWebhookPayload", () => {
  const out = redactWebhookPayload(channelRunning) as typeof channelRunning;
  const text = JSON.stringify(out);

  it("masks every value whose key names a secret, whatever its shape", () => {
    expect(out.data.api_key).toBe(REDACTED);
    expect(out.data.integration.token).toBe(REDACTED);
    expect(out.data.signature).toBe(REDACTED);
    expect(out.data.Password).toBe(REDACTED);
    expect(out.data["D360-API-KEY"]).toBe(REDACTED);
    for (const secret of ["sk_live_abcdef", "t0k3n", "deadbeef", "hunter2"]) expect(text).not.toContain(secret);
  });

  it("keeps only the last four digits of phone numbers, under phone keys and inside text", () => {
    expect(out.data.phone_number).toBe("•••6789");
    expect(out.data.client.contact_info.phone).toBe("•••0000");
    expect(out.data.setup_info.phone_number).toBe("•••3333");
    expect(out.data.note).toBe("call me on •••0958 please");
    for (const number of ["2345 6789", "4915199990000", "4915122223333", "7946"]) expect(text).not.toContain(number);
  });

  it("leaves ids, names and statuses readable and the input untouched", () => {
    expect(out.id).toBe("evt_1");
    expect(out.data.setup_info.phone_name).toBe("Acme Support");
    expect(out.data.client.name).toBe("Acme");
    expect(out.data.status).toBe("running");
    expect(out.data.waba_account.id).toBe("1234567890123");
    expect(channelRunning.data.api_key).toBe("sk_live_abcdef");
  });

  it("handles arrays, scalars and absurd nesting without throwing", () => {
    expect(redactWebhookPayload([{ token: "x" }, "+491512345678", 3, null])).toEqual([{ token: REDACTED }, "•••5678", 3, null]);
    expect(redactWebhookPayload("plain")).toBe("plain");
    let deep: unknown = { secret: "s" };
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(JSON.stringify(redactWebhookPayload(deep))).not.toContain('"s"');
  });
});

describe("redactWebhookBody", () => {
  it("pretty-prints redacted JSON", () => {
    const body = redactWebhookBody(JSON.stringify({ event: "x", data: { token: "abc", phone_number: "+15551234567" } }));
    expect(JSON.parse(body)).toEqual({ event: "x", data: { token: REDACTED, phone_number: "•••4567" } });
  });

  it("masks long digit runs in a body that is not JSON", () => {
    expect(redactWebhookBody("not json 4915122223333 id 42")).toBe("not json •••3333 id 42");
  });
});

describe("maskPhoneNumber", () => {
  it("never shows more than four digits", () => {
    expect(maskPhoneNumber("+1 (555) 123-4567")).toBe("•••4567");
    expect(maskPhoneNumber("123")).toBe("••••");
  });
});
