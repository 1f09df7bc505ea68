import { describe, expect, it } from "vitest";
import { HubError } from "./http";
import { createPartnerApi, DEFAULT_ONBOARD_SHARED_WABA_PATH, type PartnerApiOptions } from "./partner-api";
import { createCapturingLogger, createFakeFetch, createFakeSleep, type FakeCall, type FakeStep } from "@/test/support/fake-fetch";

const BASE = "https://hub.test";
const PARTNER = "examplePA";
const P = `/api/v2/partners/${PARTNER}`;
const API_KEY = "SENTINEL-PARTNER-KEY-3c1d";

function setup(steps: FakeStep[], options: Partial<PartnerApiOptions> = {}) {
  const fake = createFakeFetch(...steps);
  const sleep = createFakeSleep();
  const log = createCapturingLogger();
  const api = createPartnerApi({
    baseUrl: BASE,
    partnerId: PARTNER,
    auth: { kind: "api_key", apiKey: API_KEY },
    fetch: fake.fetch,
    sleep: sleep.sleep,
    logger: log,
    ...options,
  });
  return { api, fake, sleep, log };
}

function only(calls: FakeCall[]): FakeCall {
  expect(calls).toHaveLength(1);
  return calls[0] as FakeCall;
}

const query = (call: FakeCall) => Object.fromEntries(call.url.searchParams);

const channel = {
  id: "exampleCH",
  client_id: "exampleCL",
  status: "running",
  account_mode: "live",
  current_limit: 1000,
  created_at: "2023-02-28T14:36:45Z",
  terminated_at: null,
  setup_info: { phone_number: "+4915100000000", phone_name: "Acme" },
  waba_account: { id: "wabaAcc1", fb_account_status: "verified" },
  client: { id: "exampleCL", name: "Acme", contact_info: { email: "a@b.test" } },
  integration: { enabled: true },
};

describe("requests", () => {
  it("lists channels with limit, offset, sort and JSON-encoded filters, and the API-key header", async () => {
    const { api, fake } = setup([{ json: { count: 1, total: 1, limit: 10, offset: 20, sort: ["-created_at"], partner_channels: [channel] } }]);
    const filters = { "setup_info.phone_number": "+4915100000000", status: "running" };
    const page = await api.listChannels({ limit: 10, offset: 20, sort: "-created_at", filters });
    const call = only(fake.calls);
    expect(call.method).toBe("GET");
    expect(`${call.url.origin}${call.url.pathname}`).toBe(`${BASE}${P}/channels`);
    expect(query(call)).toEqual({ limit: "10", offset: "20", sort: "-created_at", filters: JSON.stringify(filters) });
    expect(call.url.search).toContain(`filters=${encodeURIComponent(JSON.stringify(filters))}`);
    expect(call.headers).toMatchObject({ "x-api-key": API_KEY, "content-type": "application/json", accept: "application/json" });
    expect(call.headers.authorization).toBeUndefined();
    expect(page).toMatchObject({ total: 1, count: 1, limit: 10, offset: 20 });
    expect(page.items[0]).toMatchObject({
      id: "exampleCH",
      clientId: "exampleCL",
      status: "running",
      accountMode: "live",
      currentLimit: "1000",
      phoneNumber: "+4915100000000",
      phoneName: "Acme",
      wabaAccountId: "wabaAcc1",
      fbAccountStatus: "verified",
      terminatedAt: undefined,
      client: { id: "exampleCL", name: "Acme", email: "a@b.test" },
    });
    expect(page.items[0]?.raw.integration).toEqual({ enabled: true });
  });

  it("lists clients and gets one through an id filter", async () => {
    const client = { id: "exampleCL", name: "Acme", status: "active", max_channels: 3, partner_payload: "crm-42", contact_info: { email: "a@b.test" } };
    const { api, fake } = setup([{ json: { clients: [client], total: 1 } }, { json: { clients: [] } }]);
    await expect(api.getClient("exampleCL")).resolves.toMatchObject({ id: "exampleCL", maxChannels: 3, partnerPayload: "crm-42", email: "a@b.test" });
    await expect(api.getClient("missingCL")).resolves.toBeNull();
    expect(fake.calls.map((c) => [c.url.pathname, query(c)])).toEqual([
      [`${P}/clients`, { filters: '{"id":"exampleCL"}' }],
      [`${P}/clients`, { filters: '{"id":"missingCL"}' }],
    ]);
  });

  it("gets a channel through an id filter and ignores loose matches", async () => {
    const { api, fake } = setup([{ json: { partner_channels: [{ ...channel, id: "exampleCH2" }, channel] } }]);
    await expect(api.getChannel("exampleCH")).resolves.toMatchObject({ id: "exampleCH" });
    expect(query(only(fake.calls))).toEqual({ filters: '{"id":"exampleCH"}' });
  });

  it("reads and updates the partner with a snake_case PATCH body", async () => {
    const partner = { id: PARTNER, brand_name: "Brand", partner_redirect_url: "https://portal.test/r", webhook_url: "https://portal.test/w" };
    const { api, fake } = setup([{ json: partner }, { json: partner }, { json: partner }]);
    await expect(api.getPartner()).resolves.toMatchObject({ id: PARTNER, brandName: "Brand", webhookUrl: "https://portal.test/w" });
    await api.updatePartner({ partnerRedirectUrl: "https://portal.test/r", webhookUrl: "https://portal.test/w" });
    await api.updatePartner({ webhookUrl: "https://portal.test/w" });
    expect(fake.calls.map((c) => [c.method, c.url.pathname, c.body])).toEqual([
      ["GET", P, undefined],
      ["PATCH", P, JSON.stringify({ partner_redirect_url: "https://portal.test/r", webhook_url: "https://portal.test/w" })],
      ["PATCH", P, JSON.stringify({ webhook_url: "https://portal.test/w" })],
    ]);
  });

  it("gets and sets the partner webhook URL", async () => {
    const { api, fake } = setup([{ json: { webhook_url: "https://a.test/w" } }, { json: { webhook_url: "https://b.test/w" } }]);
    await expect(api.getWebhookUrl()).resolves.toBe("https://a.test/w");
    await expect(api.setWebhookUrl("https://b.test/w")).resolves.toBe("https://b.test/w");
    expect(fake.calls.map((c) => [c.method, c.url.pathname, c.json])).toEqual([
      ["GET", `${P}/webhook_url`, undefined],
      ["POST", `${P}/webhook_url`, { webhook_url: "https://b.test/w" }],
    ]);
  });

  it("updates a client", async () => {
    const { api, fake } = setup([{ json: { id: "exampleCL", partner_payload: "p", max_channels: 10 } }]);
    await expect(api.updateClient("exampleCL", { partnerPayload: "p", maxChannels: 10 })).resolves.toMatchObject({ maxChannels: 10 });
    const call = only(fake.calls);
    expect([call.method, call.url.pathname, call.json]).toEqual(["PATCH", `${P}/clients/exampleCL`, { partner_payload: "p", max_channels: 10 }]);
  });

  it("URL-encodes ids in paths", async () => {
    const { api, fake } = setup([{ json: { id: "a/b" } }]);
    await api.updateClient("a/b?c", { maxChannels: 1 });
    expect(only(fake.calls).url.pathname).toBe(`${P}/clients/a%2Fb%3Fc`);
  });

  it("sets account sharing settings, nulls included", async () => {
    const { api, fake } = setup([{ json: { status_code: 200 } }]);
    await api.updateAccountSharingSettings({ solutionId: "23475642367", businessManagerId: null });
    const call = only(fake.calls);
    expect([call.method, call.url.pathname, call.json]).toEqual([
      "PATCH",
      `${P}/settings/account_sharing`,
      { solution_id: "23475642367", business_manager_id: null },
    ]);
  });

  it("onboards a shared WABA on the default path, and on a configured one", async () => {
    const body = { solution_id: "23475642367", waba_external_id: "31893466565234", client_id: "exampleCL", tier: "basic" };
    const answer = { ...body, channel_external_id: "10987", message: "Success. Please wait, your number is onboarding." };
    const { api, fake } = setup([{ json: answer }]);
    const result = await api.onboardSharedWaba({ solutionId: "23475642367", wabaExternalId: "31893466565234", clientId: "exampleCL", tier: "basic" });
    expect(result).toMatchObject({ clientId: "exampleCL", channelExternalId: "10987", tier: "basic" });
    const call = only(fake.calls);
    expect([call.method, call.url.pathname, call.json]).toEqual(["POST", `${P}${DEFAULT_ONBOARD_SHARED_WABA_PATH}`, body]);

    const other = setup([{ json: {} }], { onboardSharedWabaPath: "/account_sharing/onboard" });
    await other.api.onboardSharedWaba({ solutionId: "1", wabaExternalId: "2", wabaBusinessId: "3" });
    expect(only(other.fake.calls).url.pathname).toBe(`${P}/account_sharing/onboard`);
    expect(only(other.fake.calls).json).toEqual({ solution_id: "1", waba_external_id: "2", waba_business_id: "3" });
  });

  it("does not retry onboarding a shared WABA", async () => {
    const { api, fake } = setup([{ status: 503 }]);
    await expect(api.onboardSharedWaba({ solutionId: "1", wabaExternalId: "2", clientId: "c" })).rejects.toMatchObject({ status: 503 });
    expect(fake.calls).toHaveLength(1);
  });
});

describe("API keys", () => {
  const KEY = "SENTINEL-CHANNEL-KEY-9a8b";

  it("accepts the flat response", async () => {
    const { api, fake } = setup([{ status: 201, json: { id: "201126", address: "https://waba-v2.360dialog.io", api_key: KEY, app_id: 104148 } }]);
    await expect(api.generateApiKey("exampleCH")).resolves.toEqual({ apiKey: KEY, address: "https://waba-v2.360dialog.io", id: "201126", appId: "104148" });
    const call = only(fake.calls);
    expect([call.method, call.url.pathname, call.body]).toEqual(["POST", `${P}/channels/exampleCH/api_keys`, undefined]);
    expect(call.headers["x-api-key"]).toBe(API_KEY);
  });

  it("accepts the wrapped response and defaults a missing address", async () => {
    const { api } = setup([{ json: { api_keys: [{ api_key: KEY, id: "1" }] } }]);
    await expect(api.generateApiKey("exampleCH")).resolves.toEqual({ apiKey: KEY, address: "https://waba-v2.360dialog.io", id: "1", appId: undefined });
  });

  it("keeps a legacy address as given", async () => {
    const { api } = setup([{ json: { api_keys: [{ address: "https://waba.360dialog.io", api_key: KEY }] } }]);
    await expect(api.generateApiKey("exampleCH")).resolves.toMatchObject({ address: "https://waba.360dialog.io" });
  });

  it("refuses a response without a key, without echoing the body", async () => {
    const { api } = setup([{ json: { api_keys: [{ id: "1", address: KEY }] } }]);
    const error = await api.generateApiKey("exampleCH").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: "invalid_response", details: ["api_key: invalid_type"] });
    expect(JSON.stringify(error)).not.toContain(KEY);
  });

  it("is never retried automatically, even on 503", async () => {
    const { api, fake, sleep } = setup([{ status: 503, headers: { "retry-after": "1" } }, { json: { api_key: KEY } }]);
    await expect(api.generateApiKey("exampleCH")).rejects.toMatchObject({ code: "http", status: 503, attempts: 1 });
    expect(fake.calls).toHaveLength(1);
    expect(sleep.waits).toHaveLength(0);
  });

  it("is never retried on a timeout either", async () => {
    const { api, fake } = setup([{ hang: true }, { json: { api_key: KEY } }], { timeoutMs: 20 });
    await expect(api.generateApiKey("exampleCH")).rejects.toMatchObject({ code: "timeout" });
    expect(fake.calls).toHaveLength(1);
  });
});

describe("lenient reading", () => {
  it("accepts envelopes with fields missing, mistyped or extra", async () => {
    const { api } = setup([
      { json: { partner_channels: [{ id: "a", status: "brand_new_status", setup_info: "weird" }], total: "2", extra: true } },
      { json: {} },
      { json: [{ id: 7 }] },
      { json: { clients: [{ id: "c", max_channels: "many", contact_info: null }] } },
    ]);
    const first = await api.listChannels();
    expect(first.total).toBe(2);
    expect(first.items[0]).toMatchObject({ id: "a", status: "brand_new_status", phoneNumber: undefined });
    await expect(api.listChannels()).resolves.toEqual({ items: [], total: undefined, count: undefined, limit: undefined, offset: undefined });
    expect((await api.listChannels()).items[0]?.id).toBe("7");
    expect((await api.listClients()).items[0]).toMatchObject({ id: "c", maxChannels: undefined, email: undefined });
  });

  it("refuses items without an id", async () => {
    const { api } = setup([{ json: { partner_channels: [{ status: "running" }] } }]);
    await expect(api.listChannels()).rejects.toMatchObject({ code: "invalid_response", details: ["partner_channels.0.id: invalid_union"] });
  });

  it("pages through all channels until total, yielding each once", async () => {
    const ch = (id: string) => ({ id });
    const { api, fake } = setup([
      { json: { total: 5, partner_channels: [ch("1"), ch("2")] } },
      // A channel added meanwhile shifts the window: "2" comes again and is skipped.
      { json: { total: 5, partner_channels: [ch("2"), ch("3")] } },
      { json: { total: 5, partner_channels: [ch("4")] } },
    ]);
    const ids: string[] = [];
    for await (const c of api.listAllChannels({ status: "running" }, { pageSize: 2 })) ids.push(c.id);
    expect(ids).toEqual(["1", "2", "3", "4"]);
    expect(fake.calls.map((c) => [query(c).offset, query(c).limit, query(c).filters])).toEqual([
      ["0", "2", '{"status":"running"}'],
      ["2", "2", '{"status":"running"}'],
      ["4", "2", '{"status":"running"}'],
    ]);
  });

  it("stops paging on a short page when total is missing, and on an empty page", async () => {
    const first = setup([{ json: { partner_channels: [{ id: "1" }, { id: "2" }] } }, { json: { partner_channels: [{ id: "3" }] } }]);
    const ids: string[] = [];
    for await (const c of first.api.listAllChannels(undefined, { pageSize: 2 })) ids.push(c.id);
    expect(ids).toEqual(["1", "2", "3"]);

    const second = setup([{ json: { total: 10, partner_channels: [] } }]);
    for await (const c of second.api.listAllChannels()) ids.push(c.id);
    expect(second.fake.calls).toHaveLength(1);
  });

  it("reads shared client numbers from an array or from an object holding one", async () => {
    const items = [
      { id: "ch1", phone_number: "+491", status: "running", shared: true },
      { channel_id: "ch2", setup_info: { phone_number: "+492" }, status: "ready", has_permission: false },
      { number: "+493" },
      "junk",
      {},
    ];
    const { api, fake } = setup([{ json: items }, { json: { shared_client_numbers: items } }, { json: { whatever: items } }]);
    const expected = [
      { channelId: "ch1", phoneNumber: "+491", status: "running", shared: true },
      { channelId: "ch2", phoneNumber: "+492", status: "ready", shared: false },
      { channelId: undefined, phoneNumber: "+493", status: undefined, shared: undefined },
    ];
    for (let i = 0; i < 3; i++) {
      const numbers = await api.listSharedClientNumbers("exampleCL");
      expect(numbers.map(({ raw: _raw, ...rest }) => rest)).toEqual(expected);
    }
    expect(fake.calls[0]?.url.pathname).toBe(`${P}/clients/exampleCL/shared_client_numbers`);
  });

  it("refuses a shared-numbers answer with no list in it", async () => {
    const { api } = setup([{ json: { count: 0 } }]);
    await expect(api.listSharedClientNumbers("exampleCL")).rejects.toMatchObject({ code: "invalid_response" });
  });
});

describe("token auth", () => {
  const PASSWORD = "SENTINEL-PASSWORD-b00b";
  const TOKEN_1 = "SENTINEL-TOKEN-one-1111";
  const TOKEN_2 = "SENTINEL-TOKEN-two-2222";
  const auth = { kind: "token", username: "ops@partner.test", password: PASSWORD } as const;

  it("fetches a token once, caches it until 60 s before expiry, then fetches another", async () => {
    let now = 0;
    const { api, fake } = setup(
      [
        { json: { access_token: TOKEN_1, token_type: "bearer", expires_in: 600 } },
        { json: { webhook_url: "u" } },
        { json: { webhook_url: "u" } },
        { json: { access_token: TOKEN_2, expires_in: 600 } },
        { json: { webhook_url: "u" } },
      ],
      { auth, now: () => now },
    );
    await api.getWebhookUrl();
    now = 539_999;
    await api.getWebhookUrl();
    now = 540_000;
    await api.getWebhookUrl();
    expect(fake.calls.map((c) => [c.method, c.url.pathname, c.headers.authorization])).toEqual([
      ["POST", "/api/v2/token", undefined],
      ["GET", `${P}/webhook_url`, `Bearer ${TOKEN_1}`],
      ["GET", `${P}/webhook_url`, `Bearer ${TOKEN_1}`],
      ["POST", "/api/v2/token", undefined],
      ["GET", `${P}/webhook_url`, `Bearer ${TOKEN_2}`],
    ]);
    expect(fake.calls[0]?.json).toEqual({ username: "ops@partner.test", password: PASSWORD });
    expect(fake.calls[1]?.headers["x-api-key"]).toBeUndefined();
  });

  it("assumes one hour when expires_in is missing", async () => {
    let now = 0;
    const steps: FakeStep[] = [{ json: { access_token: TOKEN_1 } }, { json: {} }, { json: {} }, { json: { access_token: TOKEN_2 } }, { json: {} }];
    const { api, fake } = setup(steps, { auth, now: () => now });
    await api.getWebhookUrl();
    now = 3_539_999;
    await api.getWebhookUrl();
    now = 3_540_000;
    await api.getWebhookUrl();
    expect(fake.calls.filter((c) => c.url.pathname === "/api/v2/token")).toHaveLength(2);
  });

  it("shares one token request between concurrent calls", async () => {
    const { api, fake } = setup([{ json: { access_token: TOKEN_1 } }, { json: {} }, { json: {} }], { auth });
    await Promise.all([api.getWebhookUrl(), api.getWebhookUrl()]);
    expect(fake.calls.filter((c) => c.url.pathname === "/api/v2/token")).toHaveLength(1);
  });

  it("refreshes the token exactly once on a 401, even for a POST", async () => {
    const { api, fake } = setup(
      [{ json: { access_token: TOKEN_1 } }, { status: 401 }, { json: { access_token: TOKEN_2 } }, { status: 201, json: { api_key: "k-123456" } }],
      { auth },
    );
    await expect(api.generateApiKey("exampleCH")).resolves.toMatchObject({ apiKey: "k-123456" });
    expect(fake.calls.map((c) => [c.url.pathname, c.headers.authorization])).toEqual([
      ["/api/v2/token", undefined],
      [`${P}/channels/exampleCH/api_keys`, `Bearer ${TOKEN_1}`],
      ["/api/v2/token", undefined],
      [`${P}/channels/exampleCH/api_keys`, `Bearer ${TOKEN_2}`],
    ]);
  });

  it("gives up after the second 401 and keeps every credential out of the error", async () => {
    const echo = { meta: { developer_message: `token ${TOKEN_2} invalid`, details: [TOKEN_1] } };
    const { api, fake, log } = setup([{ json: { access_token: TOKEN_1 } }, { status: 401, json: echo }, { json: { access_token: TOKEN_2 } }, { status: 401, json: echo }], {
      auth,
    });
    const error = await api.getPartner().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "http", status: 401 });
    expect(fake.calls).toHaveLength(4);
    const text = `${String(error)} ${JSON.stringify(error)} ${JSON.stringify(log.lines)}`;
    for (const secret of [PASSWORD, TOKEN_1, TOKEN_2]) expect(text).not.toContain(secret);
  });

  it("does not loop when the token endpoint itself refuses, and keeps the password out", async () => {
    const refusal = { error: "invalid_grant", error_description: `bad password ${PASSWORD}` };
    const { api, fake } = setup([{ status: 401, json: refusal }], { auth });
    const error = await api.getPartner().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, path: "/api/v2/token", developerMessage: "bad password [redacted]" });
    expect(fake.calls).toHaveLength(1);
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
  });

  it("does not refresh on a 401 with API-key auth", async () => {
    const { api, fake } = setup([{ status: 401, json: { meta: { developer_message: `bad key ${API_KEY}` } } }]);
    const error = await api.getPartner().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, developerMessage: "bad key [redacted]" });
    expect(fake.calls).toHaveLength(1);
  });
});
