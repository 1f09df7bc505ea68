import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CreateTemplateInput } from "@/lib/hub/messaging-api";
import { API_KEY_AUTH, countingFetch, everyRendering, hubError, startHub, startReceiver, waitFor, type Hub, type Receiver } from "./support";

// docs/hub-contract.md §6 (Messaging API, templates and webhook) with the key and `address` from generateApiKey, and the
// transport's resilience (lib/hub/http.ts) against the sandbox's injected faults.

let hub: Hub;
let receiver: Receiver;
beforeAll(async () => {
  hub = await startHub();
  receiver = await startReceiver();
});
afterAll(async () => {
  await hub.close();
  await receiver.close();
});
beforeEach(async () => {
  await hub.reset();
  receiver.clear();
});

/** A running, permitted channel and a Messaging API client on its key's `address`. */
async function channelWithKey() {
  const channelId = (await hub.onboard({})).channelIds[0] ?? "";
  const key = await hub.partnerApi().generateApiKey(channelId);
  return { channelId, key, messaging: hub.messagingApi(key.apiKey, key.address) };
}

// The contract's own example (docs/hub-contract.md §6).
const ORDER_UPDATE: CreateTemplateInput = {
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
const named = (name: string, language = "en"): CreateTemplateInput => ({ ...ORDER_UPDATE, name, language });

describe("Messaging API templates", () => {
  it("listTemplates starts empty; a valid createTemplate answers `submitted` and is listed", async () => {
    const { messaging } = await channelWithKey();
    expect(await messaging.listTemplates()).toMatchObject({ items: [], total: 0, count: 0 });
    const created = await messaging.createTemplate(ORDER_UPDATE);
    expect(created).toMatchObject({ name: "order_update", language: "en", category: "UTILITY", status: "submitted" });
    expect(created.id).toMatch(/^\d{15}$/);
    expect(created.components).toHaveLength(4);
    const listed = await messaging.listTemplates();
    expect(listed).toMatchObject({ total: 1, items: [{ id: created.id, name: "order_update", language: "en", status: "submitted", namespace: created.namespace }] });
  });

  it("an invalid template is a 400 HubError carrying Meta's message; nothing is stored", async () => {
    const { messaging } = await channelWithKey();
    const badName = await hubError(messaging.createTemplate(named("Order Update")));
    expect(badName).toMatchObject({ code: "http", status: 400, attempts: 1, developerMessage: "Invalid parameter", upstreamCode: "100/2388001" });
    expect(badName.details).toEqual(["Template name invalid", "The name may contain only lowercase letters, digits and underscores (1–512 characters)."]);

    const noExample = await hubError(messaging.createTemplate({ ...named("no_example"), components: [{ type: "BODY", text: "Hi {{1}}" }] }));
    expect(noExample).toMatchObject({ status: 400, upstreamCode: "100/2388006" });
    expect(noExample.details?.[0]).toBe("Sample values missing");

    await messaging.createTemplate(ORDER_UPDATE);
    const duplicate = await hubError(messaging.createTemplate(ORDER_UPDATE));
    expect(duplicate).toMatchObject({ status: 400, upstreamCode: "100/2388024" });
    expect(duplicate.details).toEqual(["Content in this language already exists", "A template named order_update already exists in en."]);
    expect((await messaging.listTemplates()).total).toBe(1);
  });

  it("approved and rejected (set through the control API) show in listTemplates, filterable by status", async () => {
    const { messaging } = await channelWithKey();
    const ok = await messaging.createTemplate(named("welcome_a"));
    const no = await messaging.createTemplate(named("welcome_b"));
    await hub.control(`/templates/${ok.id ?? ""}/status`, { status: "approved" });
    await hub.control(`/templates/${no.id ?? ""}/status`, { status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" });
    const list = await messaging.listTemplates({ sort: "name" });
    expect(list.items.map((t) => [t.name, t.status, t.rejectedReason])).toEqual([
      ["welcome_a", "approved", undefined],
      ["welcome_b", "rejected", "TAG_CONTENT_MISMATCH"],
    ]);
    expect((await messaging.listTemplates({ filters: { status: "approved" } })).items.map((t) => t.id)).toEqual([ok.id]);
    const page = await messaging.listTemplates({ limit: 1, offset: 1, sort: "-name" });
    expect(page).toMatchObject({ total: 2, count: 1, limit: 1, offset: 1, items: [{ name: "welcome_a" }] });
  });

  it("the review timer moves submitted templates to approved, or rejected with INVALID_FORMAT", async () => {
    const { messaging } = await channelWithKey();
    await hub.control("/config", { templateReviewDelayMs: 20 });
    await messaging.createTemplate(named("promo_ok"));
    await messaging.createTemplate(named("promo_reject_me"));
    const reviewed = await waitFor(async () => {
      const { items } = await messaging.listTemplates({ sort: "name" });
      return items.every((t) => t.status !== "submitted") && items;
    }, "template review");
    expect(reviewed.map((t) => [t.name, t.status, t.rejectedReason])).toEqual([
      ["promo_ok", "approved", undefined],
      ["promo_reject_me", "rejected", "INVALID_FORMAT"],
    ]);
  });

  it("deleteTemplate removes every language of a name; deleting it again is a 404", async () => {
    const { messaging } = await channelWithKey();
    await messaging.createTemplate(named("bye"));
    await messaging.createTemplate(named("bye", "en_US"));
    await messaging.createTemplate(named("stay"));
    expect((await messaging.listTemplates()).total).toBe(3);
    await messaging.deleteTemplate("bye");
    expect((await messaging.listTemplates()).items.map((t) => t.name)).toEqual(["stay"]);
    expect(await hubError(messaging.deleteTemplate("bye"))).toMatchObject({ status: 404, developerMessage: "template name=bye not found" });
  });
});

describe("Messaging API webhook and key check", () => {
  it("setWebhook/getWebhook for the number; setWabaWebhook/getWabaWebhook, where template updates then arrive with the custom headers", async () => {
    const { messaging } = await channelWithKey();
    expect((await messaging.getWebhook()).url).toBeUndefined();
    const url = `${receiver.url}/messaging`;
    expect(await messaging.setWebhook({ url, headers: { "x-portal-auth": "s3cret" } })).toMatchObject({ url });
    expect((await messaging.getWebhook()).url).toBe(url);
    expect(await hubError(messaging.setWebhook({ url: "ftp://127.0.0.1/x" }))).toMatchObject({ status: 400 });

    const wabaUrl = `${receiver.url}/waba`;
    expect(await messaging.setWabaWebhook({ url: wabaUrl, headers: { "x-portal-waba-secret": "s3cret" } })).toMatchObject({ url: wabaUrl });
    expect(await messaging.getWabaWebhook()).toMatchObject({ url: wabaUrl });
    expect(await hubError(messaging.setWabaWebhook({ url: "ftp://127.0.0.1/x" }))).toMatchObject({ status: 400 });

    const t = await messaging.createTemplate(ORDER_UPDATE);
    await hub.control(`/templates/${t.id ?? ""}/status`, { status: "approved" });
    const hit = await waitFor(() => receiver.received.find((r) => r.path === "/waba"), "WABA webhook");
    expect(hit.headers["x-portal-waba-secret"]).toBe("s3cret");
    expect(JSON.parse(hit.rawBody.toString("utf8"))).toMatchObject({
      object: "whatsapp_business_account",
      entry: [{ changes: [{ field: "message_template_status_update", value: { event: "APPROVED", message_template_name: "order_update" } }] }],
    });
    expect(receiver.received.some((r) => r.path === "/messaging")).toBe(false);
  });

  it("checkApiKey: true for the issued key, false for an unknown one (which never shows in errors)", async () => {
    const { key, messaging } = await channelWithKey();
    expect(await messaging.checkApiKey()).toBe(true);
    const unknown = "0000unknownKey0000unknownKey0000";
    const stranger = hub.messagingApi(unknown, key.address);
    expect(await stranger.checkApiKey()).toBe(false);
    const error = await hubError(stranger.createTemplate(ORDER_UPDATE));
    expect(error).toMatchObject({ status: 401, developerMessage: "Invalid or revoked D360-API-KEY" });
    expect(everyRendering(error)).not.toContain(unknown);
  });
});

describe("resilience against injected faults", () => {
  afterEach(async () => {
    expect(await hub.control("/faults", {})).toEqual({});
  });

  it("429 with Retry-After: GETs wait at least Retry-After and succeed; a POST that is never retried surfaces the 429", async () => {
    const { key } = await channelWithKey();
    const counter = countingFetch();
    const messaging = hub.messagingApi(key.apiKey, key.address, { fetch: counter.fetch });
    const api = hub.partnerApi(API_KEY_AUTH, { fetch: counter.fetch });
    await hub.control("/faults", { rateLimit: { every: 2, retryAfterSeconds: 1 } });

    await api.getPartner(); // API request 1: passes
    let started = performance.now();
    await expect(messaging.listTemplates()).resolves.toMatchObject({ total: 0 }); // 2: 429, 3: passes
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    started = performance.now();
    await expect(api.getPartner()).resolves.toMatchObject({ id: "sandboxPA" }); // 4: 429, 5: passes
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(counter.calls).toHaveLength(5);

    const refused = await hubError(messaging.createTemplate(ORDER_UPDATE)); // 6: 429, POST not retried
    expect(refused).toMatchObject({ status: 429, attempts: 1, developerMessage: "Too many requests (sandbox fault injection)" });
    expect((await messaging.listTemplates()).total).toBe(0); // 7: passes; nothing was created
  });

  it("429 on every request: a GET gives up after its retries, having waited Retry-After before each", async () => {
    const { key } = await channelWithKey();
    await hub.control("/faults", { rateLimit: { every: 1, retryAfterSeconds: 1 } });
    const started = performance.now();
    const error = await hubError(hub.messagingApi(key.apiKey, key.address, { retries: 1 }).listTemplates());
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(error).toMatchObject({ code: "http", status: 429, attempts: 2 });
  });

  it("errorRate 1: a HubError after the configured retries, with the attempt count; no retry for generateApiKey", async () => {
    const { channelId, key } = await channelWithKey();
    await hub.control("/faults", { errorRate: 1 });
    const counter = countingFetch();
    const messaging = hub.messagingApi(key.apiKey, key.address, { fetch: counter.fetch });
    const error = await hubError(messaging.listTemplates());
    expect(error).toMatchObject({ code: "http", status: 500, attempts: 3, developerMessage: "Internal server error (sandbox fault injection)" });
    expect(error.message).toContain("after 3 attempts");
    expect(counter.calls).toHaveLength(3);

    const partner = hub.partnerApi(API_KEY_AUTH, { retries: 4 });
    expect(await hubError(partner.listChannels())).toMatchObject({ status: 500, attempts: 5 });
    expect(await hubError(partner.generateApiKey(channelId))).toMatchObject({ status: 500, attempts: 1 });
  });

  it("repeated failures open the circuit: no request goes out until the cooldown", async () => {
    await hub.control("/faults", { errorRate: 1 });
    const counter = countingFetch();
    const api = hub.partnerApi(API_KEY_AUTH, { fetch: counter.fetch, retries: 0, circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 } });
    await hubError(api.getPartner());
    await hubError(api.getPartner());
    expect(await hubError(api.getPartner())).toMatchObject({ code: "circuit_open", attempts: 0, status: null });
    expect(counter.calls).toHaveLength(2);
  });

  it("latency beyond the client's timeout is a timeout HubError after the retries", async () => {
    await hub.control("/faults", { latencyMs: 300 });
    const error = await hubError(hub.partnerApi(API_KEY_AUTH, { timeoutMs: 50, retries: 1 }).getPartner());
    expect(error).toMatchObject({ code: "timeout", status: null, attempts: 2 });
  });
});
