import { describe, expect, it } from "vitest";
import { HubError } from "./http";
import { createMessagingApi, DEFAULT_MESSAGING_BASE_URL, type CreateTemplateInput, type MessagingApiOptions } from "./messaging-api";
import { createFakeFetch, createFakeSleep, type FakeCall, type FakeStep } from "@/test/support/fake-fetch";

const KEY = "SENTINEL-D360-KEY-4e5f6a";

function setup(steps: FakeStep[], options: Partial<MessagingApiOptions> = {}) {
  const fake = createFakeFetch(...steps);
  const sleep = createFakeSleep();
  const api = createMessagingApi({ baseUrl: "https://waba.test", apiKey: KEY, fetch: fake.fetch, sleep: sleep.sleep, ...options });
  return { api, fake, sleep };
}

function only(calls: FakeCall[]): FakeCall {
  expect(calls).toHaveLength(1);
  return calls[0] as FakeCall;
}

const orderUpdate: CreateTemplateInput = {
  name: "order_update",
  category: "UTILITY",
  language: "en",
  allowCategoryChange: true,
  components: [
    { type: "HEADER", format: "TEXT", text: "New request" },
    { type: "BODY", text: "Hi {{1}}, thanks for contacting {{2}}.", example: { body_text: [["Nupur", "360dialog"]] } },
    { type: "FOOTER", text: "WhatsApp Business API provided by 360dialog" },
    { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Stop" }] },
  ],
};

describe("templates", () => {
  it("lists templates with the D360-API-KEY header and list parameters", async () => {
    const item = { id: "t1", name: "order_update", language: "en", category: "UTILITY", status: "approved", components: [{ type: "BODY" }], namespace: "ns" };
    const { api, fake } = setup([{ json: { count: 1, total: 1, waba_templates: [item, { name: "other", status: "PAUSED" }] } }]);
    const page = await api.listTemplates({ limit: 50, offset: 0, sort: "business_templates.name", filters: { id: "t1" } });
    const call = only(fake.calls);
    expect([call.method, call.url.origin, call.url.pathname]).toEqual(["GET", "https://waba.test", "/v1/configs/templates"]);
    expect(Object.fromEntries(call.url.searchParams)).toEqual({ limit: "50", offset: "0", sort: "business_templates.name", filters: '{"id":"t1"}' });
    expect(call.headers).toMatchObject({ "d360-api-key": KEY, "content-type": "application/json" });
    expect(call.headers["x-api-key"]).toBeUndefined();
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ id: "t1", name: "order_update", status: "approved", namespace: "ns", components: [{ type: "BODY" }] });
    expect(page.items[1]).toMatchObject({ name: "other", status: "PAUSED", components: [] });
  });

  it("defaults to the Cloud API host", async () => {
    const fake = createFakeFetch({ json: { waba_templates: [] } });
    await createMessagingApi({ apiKey: KEY, fetch: fake.fetch }).listTemplates();
    expect(only(fake.calls).url.origin).toBe(DEFAULT_MESSAGING_BASE_URL);
  });

  it("creates a template with exactly the documented body", async () => {
    const answer = { ...orderUpdate, allow_category_change: true, status: "submitted", namespace: "ns" };
    const { api, fake } = setup([{ status: 201, json: answer }]);
    const created = await api.createTemplate(orderUpdate);
    const call = only(fake.calls);
    expect([call.method, call.url.pathname]).toEqual(["POST", "/v1/configs/templates"]);
    expect(call.body).toBe(
      JSON.stringify({
        name: "order_update",
        category: "UTILITY",
        language: "en",
        components: orderUpdate.components,
        allow_category_change: true,
      }),
    );
    expect(created).toMatchObject({ name: "order_update", status: "submitted", category: "UTILITY", language: "en" });
  });

  it("sends library template fields only when given", async () => {
    const { api, fake } = setup([{ json: { id: "1", status: "PENDING", category: "UTILITY" } }, { json: {} }]);
    const inputs = [{ type: "URL", url: { base_url: "https://www.example.com/{{1}}", url_suffix_example: "https://www.example.com/demo" } }];
    await api.createTemplate({
      name: "lib_t",
      category: "UTILITY",
      language: "en_US",
      components: [],
      libraryTemplateName: "delivery_update_1",
      libraryTemplateButtonInputs: inputs,
    });
    await api.createTemplate({ name: "plain", category: "MARKETING", language: "de", components: [{ type: "BODY", text: "Hallo" }] });
    expect(fake.calls[0]?.json).toEqual({
      name: "lib_t",
      category: "UTILITY",
      language: "en_US",
      components: [],
      library_template_name: "delivery_update_1",
      library_template_button_inputs: inputs,
    });
    expect(fake.calls[1]?.json).toEqual({ name: "plain", category: "MARKETING", language: "de", components: [{ type: "BODY", text: "Hallo" }] });
  });

  it("fills a Meta-style create answer from the input", async () => {
    const { api } = setup([{ json: { id: "594425479261596", status: "PENDING", category: "MARKETING" } }]);
    await expect(api.createTemplate(orderUpdate)).resolves.toMatchObject({
      id: "594425479261596",
      name: "order_update",
      language: "en",
      status: "PENDING",
      category: "MARKETING",
      components: orderUpdate.components,
    });
  });

  it("does not retry a create", async () => {
    const { api, fake } = setup([{ status: 500 }, { json: {} }]);
    await expect(api.createTemplate(orderUpdate)).rejects.toMatchObject({ status: 500, attempts: 1 });
    expect(fake.calls).toHaveLength(1);
  });

  it("deletes by URL-encoded name", async () => {
    const answer = { meta: { developer_message: "template name=a b/c was deleted", http_code: 200, success: true } };
    const { api, fake } = setup([{ json: answer }, { status: 204 }]);
    await api.deleteTemplate("a b/c");
    await api.deleteTemplate("order_update");
    expect(fake.calls.map((c) => [c.method, c.url.pathname])).toEqual([
      ["DELETE", "/v1/configs/templates/a%20b%2Fc"],
      ["DELETE", "/v1/configs/templates/order_update"],
    ]);
    await expect(api.deleteTemplate("")).rejects.toThrow(TypeError);
  });
});

describe("errors", () => {
  it("maps Meta's error object into the HubError", async () => {
    const meta = {
      error: {
        message: "Invalid parameter",
        type: "OAuthException",
        code: 100,
        error_subcode: 2388024,
        error_user_title: "Content in this language already exists",
        error_user_msg: "Try again later",
        error_data: { details: "order_update en exists" },
      },
    };
    const { api } = setup([{ status: 400, json: meta }]);
    const error = await api.createTemplate(orderUpdate).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({
      code: "http",
      status: 400,
      method: "POST",
      path: "/v1/configs/templates",
      developerMessage: "Invalid parameter",
      details: ["Content in this language already exists", "Try again later", "order_update en exists"],
      upstreamCode: "100/2388024",
    });
  });

  it("maps 360dialog's meta envelope", async () => {
    const { api } = setup([{ status: 404, json: { meta: { success: false, http_code: 404, developer_message: "Template not found", details: ["x"] } } }]);
    await expect(api.deleteTemplate("nope")).rejects.toMatchObject({ status: 404, developerMessage: "Template not found", details: ["x"] });
  });

  it("never shows the key, even when the hub echoes it", async () => {
    const { api } = setup([{ status: 403, json: { meta: { developer_message: `Invalid API key ${KEY}` } } }]);
    const error = await api.listTemplates().catch((e: unknown) => e);
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(KEY);
  });
});

describe("webhook and key check", () => {
  it("gets and sets the messaging webhook", async () => {
    const { api, fake } = setup([
      { json: { url: "https://portal.test/m" } },
      { json: { url: "https://portal.test/m2" } },
      { json: { url: "https://portal.test/m3" } },
    ]);
    await expect(api.getWebhook()).resolves.toEqual({ url: "https://portal.test/m", headers: undefined });
    await api.setWebhook({ url: "https://portal.test/m2", headers: { Authorization: "s3cret" } });
    await api.setWebhook({ url: "https://portal.test/m3" });
    expect(fake.calls.map((c) => [c.method, c.url.pathname, c.json])).toEqual([
      ["GET", "/v1/configs/webhook", undefined],
      ["POST", "/v1/configs/webhook", { url: "https://portal.test/m2", headers: { Authorization: "s3cret" } }],
      ["POST", "/v1/configs/webhook", { url: "https://portal.test/m3" }],
    ]);
  });

  it("retries setting the webhook, which is idempotent", async () => {
    const { api, fake } = setup([{ status: 502 }, { json: { url: "https://portal.test/m" } }]);
    await api.setWebhook({ url: "https://portal.test/m" });
    expect(fake.calls).toHaveLength(2);
  });

  it("checks the key: true on success, false on 401/403, throws otherwise", async () => {
    const { api, fake } = setup([{ json: { waba_templates: [] } }, { status: 401 }, { status: 403 }, { status: 400 }]);
    await expect(api.checkApiKey()).resolves.toBe(true);
    await expect(api.checkApiKey()).resolves.toBe(false);
    await expect(api.checkApiKey()).resolves.toBe(false);
    await expect(api.checkApiKey()).rejects.toMatchObject({ status: 400 });
    expect(fake.calls[0]?.url.search).toBe("?limit=1");
    expect(fake.calls).toHaveLength(4);
  });
});
