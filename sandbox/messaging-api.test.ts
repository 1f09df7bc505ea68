import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TEST_PARTNER, call, onboard, seedPartner, startReceiver, startTestSandbox, waitFor, type Receiver, type TestSandbox } from "@/test/support/sandbox";

let t: TestSandbox;
let receiver: Receiver;
let apiKey = "";
let channelId = "";

const body = (text = "Hi {{1}}, thanks for contacting {{2}}.") => ({
  type: "BODY",
  text,
  example: { body_text: [["Nupur", "360dialog"]] },
});
const valid = (over: Record<string, unknown> = {}) => ({
  name: "order_update",
  category: "UTILITY",
  language: "en_US",
  components: [
    { type: "HEADER", format: "TEXT", text: "New request" },
    body(),
    { type: "FOOTER", text: "Provided by 360dialog" },
    { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Stop" }] },
  ],
  ...over,
});
const post = (json: unknown) => call(t.url, "/v1/configs/templates", { method: "POST", d360: apiKey, json });

beforeAll(async () => {
  t = await startTestSandbox({ config: { templateReviewDelayMs: -1 } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});
beforeEach(async () => {
  await call(t.url, "/_sandbox/reset", { method: "POST" });
  await call(t.url, "/_sandbox/config", { method: "POST", json: { templateReviewDelayMs: -1 } });
  await seedPartner(t.url, { webhookUrl: receiver.url });
  receiver.reset();
  const { channelIds } = await onboard(t.url);
  channelId = channelIds[0] ?? "";
  const key = await call(t.url, `/api/v2/partners/${TEST_PARTNER.id}/channels/${channelId}/api_keys`, { method: "POST", key: TEST_PARTNER.apiKey });
  apiKey = String(key.body.api_key);
});

describe("Messaging API templates", () => {
  it("requires a live D360-API-KEY", async () => {
    expect((await call(t.url, "/v1/configs/templates")).status).toBe(401);
    const wrong = await call(t.url, "/v1/configs/templates", { d360: "nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.meta.http_code).toBe(401);
    expect((await call(t.url, "/v1/configs/templates", { headers: { "x-api-key": TEST_PARTNER.apiKey } })).status).toBe(401);
  });

  const cases: [string, unknown, number][] = [
    ["upper-case name", valid({ name: "Order_Update" }), 2388001],
    ["unknown category", valid({ category: "PROMO" }), 2388002],
    ["bad language", valid({ language: "english" }), 2388003],
    ["no components", valid({ components: [] }), 2388004],
    ["no body", valid({ components: [{ type: "FOOTER", text: "x" }] }), 2388004],
    ["two bodies", valid({ components: [body(), body()] }), 2388004],
    ["body over 1024", valid({ components: [{ type: "BODY", text: "x".repeat(1025) }] }), 2388040],
    ["header over 60", valid({ components: [{ type: "HEADER", format: "TEXT", text: "h".repeat(61) }, body()] }), 2388040],
    ["footer over 60", valid({ components: [body(), { type: "FOOTER", text: "f".repeat(61) }] }), 2388040],
    ["bad header format", valid({ components: [{ type: "HEADER", format: "SLIDESHOW" }, body()] }), 2388047],
    ["11 buttons", valid({ components: [body(), { type: "BUTTONS", buttons: Array.from({ length: 11 }, (_, i) => ({ type: "QUICK_REPLY", text: `b${i}` })) }] }), 2388007],
    ["gap in variables", valid({ components: [{ type: "BODY", text: "{{1}} and {{3}}", example: { body_text: [["a", "b"]] } }] }), 2388005],
    ["named variable", valid({ components: [{ type: "BODY", text: "Hi {{name}}" }] }), 2388005],
    ["variables without example", valid({ components: [{ type: "BODY", text: "Hi {{1}}" }] }), 2388006],
    ["example of wrong size", valid({ components: [{ type: "BODY", text: "Hi {{1}}", example: { body_text: [["a", "b"]] } }] }), 2388006],
  ];

  it.each(cases)("refuses %s with a Meta-style error", async (_label, payload, subcode) => {
    const res = await post(payload);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ message: "Invalid parameter", type: "OAuthException", code: 100, error_subcode: subcode });
    expect(typeof res.body.error.error_user_title).toBe("string");
    expect(typeof res.body.error.error_user_msg).toBe("string");
    expect(t.sb.state.templates.size).toBe(0);
  });

  it("creates a template as submitted and refuses the same name and language twice", async () => {
    const res = await post(valid());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "order_update", language: "en_US", category: "UTILITY", status: "submitted", rejected_reason: null });
    expect(res.body.id).toMatch(/^\d{15}$/);
    expect(typeof res.body.namespace).toBe("string");
    const dup = await post(valid());
    expect(dup.body.error.error_subcode).toBe(2388024);
    expect((await post(valid({ language: "de" }))).status).toBe(201);
    expect((await call(t.url, "/v1/configs/templates", { method: "POST", d360: apiKey, body: "{", headers: { "content-type": "application/json" } })).status).toBe(400);
  });

  it("lists with the envelope, filters and deletes by name (all languages)", async () => {
    await post(valid());
    await post(valid({ language: "de" }));
    await post(valid({ name: "welcome", category: "MARKETING" }));
    const all = await call(t.url, "/v1/configs/templates?limit=2&sort=name", { d360: apiKey });
    expect(all.body).toMatchObject({ count: 2, limit: 2, offset: 0, total: 3, sort: ["name"] });
    expect(all.body.waba_templates[0].name).toBe("order_update");
    const filtered = await call(t.url, `/v1/configs/templates?filters=${encodeURIComponent('{"category":"MARKETING"}')}`, { d360: apiKey });
    expect(filtered.body.waba_templates.map((x: { name: string }) => x.name)).toEqual(["welcome"]);
    const del = await call(t.url, "/v1/configs/templates/order_update", { method: "DELETE", d360: apiKey });
    expect(del.body).toEqual({ meta: { developer_message: "template name=order_update was deleted", http_code: 200, success: true } });
    expect((await call(t.url, "/v1/configs/templates", { d360: apiKey })).body.total).toBe(1);
    expect((await call(t.url, "/v1/configs/templates/order_update", { method: "DELETE", d360: apiKey })).status).toBe(404);
  });
});

describe("Template review and notifications", () => {
  it("approves on the timer, rejects names with 'reject', and tells only the WABA webhook, in Meta's shape", async () => {
    // The number's own webhook gets no template event (Meta sends template webhooks to the WABA, docs/waba-webhook.md §1).
    await call(t.url, "/v1/configs/webhook", { method: "POST", d360: apiKey, json: { url: `${receiver.url}/messaging` } });
    const hook = await call(t.url, "/waba_webhook", { method: "POST", d360: apiKey, json: { url: `${receiver.url}/waba`, headers: { "x-portal-waba-secret": "s3cret" } } });
    expect(hook.body).toEqual({ url: `${receiver.url}/waba`, headers: { "x-portal-waba-secret": "s3cret" } });
    expect((await call(t.url, "/waba_webhook", { d360: apiKey })).body).toMatchObject({ url: `${receiver.url}/waba` });
    await call(t.url, "/_sandbox/config", { method: "POST", json: { templateReviewDelayMs: 20 } });

    const ok = await post(valid());
    const bad = await post(valid({ name: "please_reject_me" }));
    await waitFor(() => t.sb.state.templates.get(String(bad.body.id))?.status === "rejected", 2000, "review");
    await waitFor(() => t.sb.state.templates.get(String(ok.body.id))?.status === "approved", 2000, "review");
    const list = await call(t.url, "/v1/configs/templates", { d360: apiKey });
    const byName = Object.fromEntries(list.body.waba_templates.map((x: { name: string }) => [x.name, x]));
    expect(byName.please_reject_me).toMatchObject({ status: "rejected", rejected_reason: "INVALID_FORMAT" });
    expect(byName.order_update).toMatchObject({ status: "approved", rejected_reason: null });

    const meta = await waitFor(() => {
      const m = receiver.received.filter((r) => r.path.endsWith("/waba"));
      return m.length === 2 ? m : undefined;
    }, 2000, "WABA webhooks");
    expect(meta[0]?.headers["x-portal-waba-secret"]).toBe("s3cret");
    expect(meta[0]?.headers["x-360dialog-signature"]).toBeUndefined();
    const channel = t.sb.state.channels.get(channelId)!;
    expect(meta.every((m) => m.json.object === "whatsapp_business_account" && m.json.entry[0].id === channel.wabaExternalId)).toBe(true);
    const values = meta.map((m) => m.json.entry[0].changes[0]);
    expect(values.every((v) => v.field === "message_template_status_update")).toBe(true);
    expect(values.map((v) => [v.value.message_template_name, v.value.event, v.value.reason, v.value.message_template_category]).sort()).toEqual([
      ["order_update", "APPROVED", "NONE", "UTILITY"],
      ["please_reject_me", "REJECTED", "INVALID_FORMAT", "UTILITY"],
    ]);
    expect(receiver.received.some((r) => r.path.endsWith("/messaging"))).toBe(false);
    expect(receiver.received.some((r) => typeof r.json?.event === "string" && r.json.event.includes("template"))).toBe(false);
  });

  it("records a verdict as skipped when the WABA has no webhook", async () => {
    const created = await post(valid());
    await call(t.url, `/_sandbox/templates/${String(created.body.id)}/status`, { method: "POST", json: { status: "approved" } });
    await waitFor(() => t.sb.state.deliveries.some((d) => d.kind === "waba"), 2000, "skipped delivery");
    const skipped = (await call(t.url, "/_sandbox/deliveries?kind=waba")).body.deliveries;
    expect(skipped[0]).toMatchObject({ event: "message_template_status_update", outcome: "skipped", error: "no WABA webhook set" });
  });

  it("delivers number quality events and inbound messages to the WABA webhook, messages to the number's own when it has one", async () => {
    await call(t.url, "/waba_webhook", { method: "POST", d360: apiKey, json: { url: `${receiver.url}/waba`, headers: { "x-portal-waba-secret": "s3cret" } } });
    await call(t.url, `/_sandbox/channels/${channelId}/quality`, { method: "POST", json: { event: "UPGRADE", currentLimit: "TIER_10K", oldLimit: "TIER_1K" } });
    const viaWaba = await call(t.url, `/_sandbox/channels/${channelId}/inbound`, { method: "POST", json: { text: "hello" } });
    expect(viaWaba.body.via).toBe("waba");
    const got = await waitFor(() => {
      const m = receiver.received.filter((r) => r.path.endsWith("/waba"));
      return m.length === 2 ? m : undefined;
    }, 2000, "WABA deliveries");
    const fields = got.map((m) => m.json.entry[0].changes[0]);
    expect(fields.map((f) => f.field).sort()).toEqual(["messages", "phone_number_quality_update"]);
    expect(fields.find((f) => f.field === "phone_number_quality_update").value).toMatchObject({ event: "UPGRADE", current_limit: "TIER_10K", old_limit: "TIER_1K" });
    expect(fields.find((f) => f.field === "messages").value.messages[0].text.body).toBe("hello");

    await call(t.url, "/v1/configs/webhook", { method: "POST", d360: apiKey, json: { url: `${receiver.url}/messaging` } });
    const own = await call(t.url, `/_sandbox/channels/${channelId}/inbound`, { method: "POST", json: { text: "again" } });
    expect(own.body.via).toBe("number");
    await waitFor(() => receiver.received.find((r) => r.path.endsWith("/messaging")), 2000, "number webhook");
  });

  it("drops the custom headers of WABA and number webhooks with the dropCustomHeaders fault, keeping the URL as set", async () => {
    await call(t.url, "/waba_webhook", { method: "POST", d360: apiKey, json: { url: `${receiver.url}/waba/token`, headers: { "x-portal-waba-secret": "s3cret" } } });
    await call(t.url, "/_sandbox/faults", { method: "POST", json: { dropCustomHeaders: true } });
    try {
      await call(t.url, `/_sandbox/channels/${channelId}/quality`, { method: "POST", json: { event: "FLAGGED" } });
      const got = await waitFor(() => receiver.received.find((r) => r.path.endsWith("/waba/token")), 2000, "WABA delivery");
      expect(got.headers["x-portal-waba-secret"]).toBeUndefined();
      expect(got.json.entry[0].changes[0].field).toBe("phone_number_quality_update");
    } finally {
      await call(t.url, "/_sandbox/faults", { method: "POST", json: {} });
    }
  });

  it("sets a status on demand through the control API", async () => {
    const created = await post(valid());
    const id = String(created.body.id);
    const res = await call(t.url, `/_sandbox/templates/${id}/status`, { method: "POST", json: { status: "REJECTED", rejectedReason: "TAG_CONTENT_MISMATCH" } });
    expect(res.body).toMatchObject({ id, status: "rejected", rejected_reason: "TAG_CONTENT_MISMATCH" });
    await call(t.url, `/_sandbox/templates/${id}/status`, { method: "POST", json: { status: "approved" } });
    expect(t.sb.state.templates.get(id)).toMatchObject({ status: "approved", rejectedReason: null });
    expect((await call(t.url, "/_sandbox/templates/nope/status", { method: "POST", json: { status: "approved" } })).status).toBe(404);
  });
});
