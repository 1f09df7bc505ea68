import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PartnerApi, PartnerAuth } from "@/lib/hub/partner-api";
import { API_KEY_AUTH, DEFAULT_PARTNER, TOKEN_AUTH, countingFetch, everyRendering, hubError, startHub, type Hub } from "./support";

// docs/hub-contract.md §5 (Partner API) and §7 (account sharing): lib/hub/partner-api.ts against the sandbox hub.

let hub: Hub;
beforeAll(async () => {
  hub = await startHub();
});
afterAll(() => hub.close());
beforeEach(() => hub.reset());

const PID = DEFAULT_PARTNER.id;
const first = (ids: string[]): string => ids[0] ?? "";
const idsOf = (items: { id: string }[]) => items.map((i) => i.id);

describe.each<[string, PartnerAuth]>([
  ["X-API-Key", API_KEY_AUTH],
  ["a bearer token from /api/v2/token", TOKEN_AUTH],
])("Partner API with %s", (_label, auth) => {
  let api: PartnerApi;
  beforeEach(() => {
    api = hub.partnerApi(auth);
  });

  it("getPartner answers the partner, authenticated the way configured", async () => {
    const counter = countingFetch();
    const partner = await hub.partnerApi(auth, { fetch: counter.fetch }).getPartner();
    expect(partner).toMatchObject({ id: PID, brandName: DEFAULT_PARTNER.name });
    const expected = auth.kind === "token" ? ["POST /api/v2/token", `GET /api/v2/partners/${PID}`] : [`GET /api/v2/partners/${PID}`];
    expect(counter.calls.map((c) => `${c.method} ${c.path}`)).toEqual(expected);
  });

  it("updatePartner sets redirect and webhook URL; getWebhookUrl/setWebhookUrl read and write the same field", async () => {
    const redirect = "http://127.0.0.1:9/onboarding/redirect";
    const webhook = "http://127.0.0.1:9/api/webhooks/360dialog/sandboxPA";
    expect(await api.updatePartner({ partnerRedirectUrl: redirect, webhookUrl: webhook })).toMatchObject({ id: PID, partnerRedirectUrl: redirect, webhookUrl: webhook });
    expect(await api.getPartner()).toMatchObject({ partnerRedirectUrl: redirect, webhookUrl: webhook });
    expect(await api.getWebhookUrl()).toBe(webhook);

    const moved = `${webhook}/v2`;
    expect(await api.setWebhookUrl(moved)).toBe(moved);
    expect(await api.getWebhookUrl()).toBe(moved);
    // A PATCH with one field leaves the other alone.
    await api.updatePartner({ webhookUrl: webhook });
    expect(await api.getPartner()).toMatchObject({ partnerRedirectUrl: redirect, webhookUrl: webhook });

    const bad = await hubError(api.updatePartner({ webhookUrl: "ftp://127.0.0.1/hook" }));
    expect(bad).toMatchObject({ status: 400, developerMessage: "Wrong payload" });
    expect(bad.details?.join(" ")).toContain("webhook_url");
  });

  it("listClients pages, sorts and filters, with the envelope totals", async () => {
    const names = ["Delta", "Alpha", "Echo", "Charlie", "Bravo"];
    for (const [i, name] of names.entries()) {
      await hub.onboard({ companyName: `${name} GmbH`, email: `${name.toLowerCase()}@client.test`, partnerPayload: i % 2 === 0 ? "even" : "odd" });
    }
    const page = await api.listClients({ limit: 2, offset: 1, sort: "name" });
    expect(page.items.map((c) => c.name)).toEqual(["Bravo GmbH", "Charlie GmbH"]);
    expect(page).toMatchObject({ total: 5, count: 2, limit: 2, offset: 1 });

    const desc = await api.listClients({ sort: "-name" });
    expect(desc.items.map((c) => c.name)).toEqual(["Echo GmbH", "Delta GmbH", "Charlie GmbH", "Bravo GmbH", "Alpha GmbH"]);
    expect(desc).toMatchObject({ total: 5, count: 5, offset: 0 });

    const even = await api.listClients({ filters: { partner_payload: "even" }, sort: "name" });
    expect(even.items.map((c) => c.name)).toEqual(["Bravo GmbH", "Delta GmbH", "Echo GmbH"]);
    expect(even.total).toBe(3);
    const byEmail = await api.listClients({ filters: { "contact_info.email": "echo@client.test" } });
    expect(byEmail.items.map((c) => c.email)).toEqual(["echo@client.test"]);
    expect((await api.listClients({ filters: { q: "charlie" } })).items.map((c) => c.name)).toEqual(["Charlie GmbH"]);
    expect(await api.listClients({ offset: 10 })).toMatchObject({ items: [], total: 5, count: 0 });
  });

  it("getClient finds one client; updateClient changes partner payload and max channels, read back", async () => {
    const { clientId } = await hub.onboard({ companyName: "Acme", email: "ops@acme.test", partnerPayload: "crm-1" });
    expect(await api.getClient(clientId)).toMatchObject({ id: clientId, name: "Acme", email: "ops@acme.test", partnerPayload: "crm-1", status: "active" });
    expect(await api.getClient("nopeNOPECL")).toBeNull();

    expect(await api.updateClient(clientId, { partnerPayload: "crm-2", maxChannels: 3 })).toMatchObject({ id: clientId, partnerPayload: "crm-2", maxChannels: 3 });
    expect(await api.getClient(clientId)).toMatchObject({ partnerPayload: "crm-2", maxChannels: 3 });
    await api.updateClient(clientId, { maxChannels: 4 });
    expect(await api.getClient(clientId)).toMatchObject({ partnerPayload: "crm-2", maxChannels: 4 });

    const bad = await hubError(api.updateClient(clientId, { maxChannels: 0 }));
    expect(bad).toMatchObject({ status: 400, developerMessage: "Wrong payload" });
    expect(bad.details?.join(" ")).toContain("max_channels");
    expect(await hubError(api.updateClient("nopeNOPECL", { maxChannels: 2 }))).toMatchObject({ status: 404, developerMessage: "Client nopeNOPECL not found" });
  });

  it("listChannels filters by status and client_id, sorts and pages; getChannel reads one", async () => {
    const a = await hub.onboard({ companyName: "A Co", phoneNumber: "+4915100000003" });
    const a2 = await hub.onboard({ clientId: a.clientId, phoneNumber: "+4915100000001" });
    const b = await hub.onboard({ companyName: "B Co", phoneNumber: "+4915100000002" });
    const [chA, chA2, chB] = [first(a.channelIds), first(a2.channelIds), first(b.channelIds)];
    await hub.control(`/channels/${chB}/status`, { status: "ready", event: null });

    expect(await api.listChannels({ filters: { status: "ready" } })).toMatchObject({ items: [{ id: chB, status: "ready" }], total: 1 });
    expect(idsOf((await api.listChannels({ filters: { status: "running" }, sort: "setup_info.phone_number" })).items)).toEqual([chA2, chA]);
    const ofA = await api.listChannels({ filters: { client_id: a.clientId }, sort: "-setup_info.phone_number" });
    expect(idsOf(ofA.items)).toEqual([chA, chA2]);
    expect(ofA.items.every((c) => c.clientId === a.clientId && c.client?.id === a.clientId)).toBe(true);
    const paged = await api.listChannels({ limit: 1, offset: 1, sort: "setup_info.phone_number" });
    expect(paged).toMatchObject({ items: [{ id: chB }], total: 3, count: 1, limit: 1, offset: 1 });

    const one = await api.getChannel(chB);
    expect(one).toMatchObject({ id: chB, clientId: b.clientId, status: "ready", phoneNumber: "+4915100000002", client: { name: "B Co" } });
    expect(one?.wabaAccountId).toMatch(/WA$/);
    expect(await api.getChannel("nopeNOPECH")).toBeNull();
  });

  it("listAllChannels walks every page of more channels than one page holds", async () => {
    const created = await Promise.all(Array.from({ length: 23 }, (_, i) => hub.onboard({ companyName: `Bulk ${i}` })));
    const all = created.map((c) => first(c.channelIds));
    const counter = countingFetch();
    const paged = hub.partnerApi(auth, { fetch: counter.fetch });
    const seen: string[] = [];
    for await (const channel of paged.listAllChannels(undefined, { pageSize: 5, sort: "created_at" })) seen.push(channel.id);
    expect(seen).toHaveLength(23);
    expect([...seen].sort()).toEqual([...all].sort());
    expect(counter.calls.filter((c) => c.path.endsWith("/channels"))).toHaveLength(5);

    for (const id of all.slice(0, 4)) await hub.control(`/channels/${id}/status`, { status: "ready", event: null });
    const ready: string[] = [];
    for await (const channel of api.listAllChannels({ status: "ready" }, { pageSize: 3 })) ready.push(channel.id);
    expect(ready.sort()).toEqual(all.slice(0, 4).sort());
  });
});

describe("API keys (contract §5.3): running + permitted only; a new key revokes the old", () => {
  it("refuses while the channel is not running, issues once running, and the second key revokes the first", async () => {
    const api = hub.partnerApi(API_KEY_AUTH);
    const channelId = first((await hub.onboard({})).channelIds);
    await hub.control(`/channels/${channelId}/status`, { status: "ready" });
    const refused = await hubError(api.generateApiKey(channelId));
    expect(refused).toMatchObject({ code: "http", status: 400, attempts: 1 });
    expect(refused.developerMessage).toContain('is in status "ready"');
    expect(refused.message).toContain(refused.developerMessage);

    await hub.control(`/channels/${channelId}/status`, { status: "running" });
    const key1 = await api.generateApiKey(channelId);
    expect(key1).toMatchObject({ address: hub.url, id: expect.any(String), appId: expect.any(String) });
    const m1 = hub.messagingApi(key1.apiKey, key1.address);
    expect(await m1.checkApiKey()).toBe(true);

    const key2 = await hub.partnerApi(TOKEN_AUTH).generateApiKey(channelId);
    expect(key2.apiKey).not.toBe(key1.apiKey);
    const revoked = await hubError(m1.listTemplates());
    expect(revoked).toMatchObject({ status: 401, developerMessage: "Invalid or revoked D360-API-KEY" });
    expect(everyRendering(revoked)).not.toContain(key1.apiKey);
    expect(await m1.checkApiKey()).toBe(false);
    expect(await hub.messagingApi(key2.apiKey, key2.address).checkApiKey()).toBe(true);
    expect(await hubError(api.generateApiKey("nopeNOPECH"))).toMatchObject({ status: 404 });
  });

  it("direct payment: refused (403) without the client's permission; shared numbers show the permission", async () => {
    await hub.control("/partners", { id: "directPA", apiKey: "direct-partner-key", platformSecret: "direct-platform-secret", paymentMode: "direct" });
    const api = hub.partnerApi({ kind: "api_key", apiKey: "direct-partner-key" }, { partnerId: "directPA" });
    const { clientId, channelIds } = await hub.control<{ clientId: string; channelIds: string[] }>("/onboard", { partnerId: "directPA", phoneNumber: "+4915100000010" });
    const other = await hub.control<{ channelIds: string[] }>("/onboard", { partnerId: "directPA", clientId, phoneNumber: "+4915100000011", permission: true });
    const [locked, open] = [first(channelIds), first(other.channelIds)];

    const refused = await hubError(api.generateApiKey(locked));
    expect(refused.status).toBe(403);
    expect(refused.developerMessage).toContain("has not granted the partner permission");
    const shared = async () => (await api.listSharedClientNumbers(clientId)).map(({ channelId, phoneNumber, status, shared }) => ({ channelId, phoneNumber, status, shared }));
    expect(await shared()).toEqual([
      { channelId: locked, phoneNumber: "+4915100000010", status: "running", shared: false },
      { channelId: open, phoneNumber: "+4915100000011", status: "running", shared: true },
    ]);

    await hub.control(`/channels/${locked}/permission`, { granted: true });
    const key = await api.generateApiKey(locked);
    expect((await shared()).every((n) => n.shared)).toBe(true);
    // The client withdrawing permission kills the key.
    await hub.control(`/channels/${locked}/permission`, { granted: false });
    expect(await hub.messagingApi(key.apiKey, key.address).checkApiKey()).toBe(false);
    expect(await hubError(api.listSharedClientNumbers("nopeNOPECL"))).toMatchObject({ status: 404 });
  });
});

describe("account sharing (contract §7)", () => {
  const solutionId = "23475642367";
  const waba = { solutionId, wabaExternalId: "31893466565234", wabaBusinessId: "89732461622213", tier: "basic" } as const;

  it("updateAccountSharingSettings, then onboardSharedWaba creates one permitted channel, found by its external WABA id", async () => {
    const api = hub.partnerApi(API_KEY_AUTH);
    expect((await hubError(api.onboardSharedWaba(waba))).developerMessage).toContain("not configured");

    await expect(api.updateAccountSharingSettings({ solutionId, businessManagerId: "1234567890" })).resolves.toBeUndefined();
    const state = await hub.control<{ partners: { id: string; accountSharing: unknown }[] }>("/state");
    expect(state.partners.find((p) => p.id === PID)?.accountSharing).toEqual({ solutionId, businessManagerId: "1234567890" });
    const wrong = await hubError(api.onboardSharedWaba({ ...waba, solutionId: "99999999999999" }));
    expect(wrong).toMatchObject({ status: 400, attempts: 1 });
    expect(wrong.developerMessage).toContain("not the partner's configured solution");

    const result = await api.onboardSharedWaba(waba);
    expect(result).toMatchObject({ solutionId, wabaExternalId: waba.wabaExternalId, wabaBusinessId: waba.wabaBusinessId, tier: "basic" });
    expect(result.clientId).toMatch(/CL$/);
    const found = await api.listChannels({ filters: { "waba_account.external_id": waba.wabaExternalId } });
    expect(found.total).toBe(1);
    const channel = found.items[0];
    expect(channel?.clientId).toBe(result.clientId);
    // Onboarding the same WABA again creates nothing new.
    expect((await api.onboardSharedWaba(waba)).clientId).toBe(result.clientId);
    expect((await api.listChannels({ filters: { "waba_account.external_id": waba.wabaExternalId } })).total).toBe(1);
    // The shared channel is permitted: once running, a key can be generated.
    expect(channel?.status).toBe("running");
    await expect(api.generateApiKey(channel?.id ?? "")).resolves.toMatchObject({ address: hub.url });

    const { clientId } = await hub.onboard({ companyName: "Existing Co" });
    const attached = await api.onboardSharedWaba({ solutionId, wabaExternalId: "4444444444", clientId });
    expect(attached).toMatchObject({ clientId, wabaExternalId: "4444444444" });
    expect((await api.listChannels({ filters: { client_id: clientId } })).total).toBe(2);
  });
});

describe("authentication failures (contract §5.1, §5.5)", () => {
  it("a wrong API key is a 401 HubError with the developer message and without the key", async () => {
    const wrongKey = "wrong-partner-key-3f9a7c";
    const error = await hubError(hub.partnerApi({ kind: "api_key", apiKey: wrongKey }).getPartner());
    expect(error).toMatchObject({ code: "http", status: 401, developerMessage: "Invalid API key", attempts: 1 });
    expect(everyRendering(error)).not.toContain(wrongKey);
  });

  it("a wrong password is a 401 from the token endpoint without the password; another partner's path is a 403", async () => {
    const password = "not-the-sandbox-password";
    const error = await hubError(hub.partnerApi({ kind: "token", username: DEFAULT_PARTNER.username, password }).getPartner());
    expect(error).toMatchObject({ status: 401, path: "/api/v2/token", developerMessage: "Wrong username or password" });
    expect(everyRendering(error)).not.toContain(password);
    const foreign = await hubError(hub.partnerApi(API_KEY_AUTH, { partnerId: "otherPA" }).getPartner());
    expect(foreign).toMatchObject({ status: 403, developerMessage: "These credentials do not give access to partner otherPA" });
  });

  it("an expired bearer token is replaced once and the request succeeds", async () => {
    const counter = countingFetch();
    const api = hub.partnerApi(TOKEN_AUTH, { fetch: counter.fetch });
    await api.getPartner();
    hub.advanceClock(86_400_000 + 1_000);
    await expect(api.getPartner()).resolves.toMatchObject({ id: PID });
    const partnerPath = `GET /api/v2/partners/${PID}`;
    expect(counter.calls.map((c) => `${c.method} ${c.path}`)).toEqual(["POST /api/v2/token", partnerPath, partnerPath, "POST /api/v2/token", partnerPath]);
  });
});
