import { describe, expect, it } from "vitest";
import { createMessagingApi } from "./messaging-api";
import { createFakeFetch, createFakeSleep } from "@/test/support/fake-fetch";

// The in-place edit and named parameters (docs/templates-meta.md §2, §3).

function setup(...steps: Parameters<typeof createFakeFetch>) {
  const fake = createFakeFetch(...steps);
  const api = createMessagingApi({ baseUrl: "https://waba.test", apiKey: "K", fetch: fake.fetch, sleep: createFakeSleep().sleep });
  return { api, fake };
}

const components = [{ type: "BODY" as const, text: "Hello {{customer_name}}, welcome.", example: { body_text_named_params: [{ param_name: "customer_name", example: "Ana" }] } }];

describe("editTemplate", () => {
  it("PATCHes the template by id with components, category and parameter_format, once, and reads Meta's bare success", async () => {
    const { api, fake } = setup({ json: { success: true } });
    const answer = await api.editTemplate("1234567890", { components, category: "UTILITY", parameterFormat: "NAMED" });
    expect(fake.calls).toHaveLength(1);
    const call = fake.calls[0]!;
    expect([call.method, call.url.pathname, call.headers["d360-api-key"]]).toEqual(["PATCH", "/v1/configs/templates/1234567890", "K"]);
    expect(call.json).toEqual({ components, category: "UTILITY", parameter_format: "NAMED" });
    expect(answer).toEqual({ id: undefined, status: undefined, category: undefined, rejectedReason: undefined });
  });

  it("POSTs on the same path when the hub's setting says so (docs/templates-meta.md §2.2)", async () => {
    const { api, fake } = setup({ json: { success: true } });
    await api.editTemplate("1234567890", { components }, { method: "POST" });
    expect([fake.calls[0]!.method, fake.calls[0]!.url.pathname]).toEqual(["POST", "/v1/configs/templates/1234567890"]);
    expect(fake.calls[0]!.json).toEqual({ components });
  });

  it("is never retried: a 500 is the caller's to settle", async () => {
    const { api, fake } = setup({ status: 500 }, { json: { success: true } });
    await expect(api.editTemplate("1", { components })).rejects.toMatchObject({ status: 500 });
    expect(fake.calls).toHaveLength(1);
  });

  it("a hub without the call answers 404, which the caller reads as 'not here'", async () => {
    const { api } = setup({ status: 404, json: { meta: { http_code: 404, developer_message: "Unknown path" } } });
    await expect(api.editTemplate("1", { components })).rejects.toMatchObject({ status: 404 });
  });
});

describe("createTemplate with named parameters", () => {
  it("sends parameter_format NAMED", async () => {
    const { api, fake } = setup({ status: 201, json: { id: "9", status: "submitted" } });
    await api.createTemplate({ name: "welcome", language: "en", category: "UTILITY", components, parameterFormat: "NAMED" });
    expect(fake.calls[0]!.json).toMatchObject({ name: "welcome", parameter_format: "NAMED", components });
  });
});
