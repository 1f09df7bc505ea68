import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TEST_PARTNER, call, hiddenValue, onboard, postForm, seedPartner, startTestSandbox, type TestSandbox } from "@/test/support/sandbox";

let t: TestSandbox;
const P = `/api/v2/partners/${TEST_PARTNER.id}`;
const key = TEST_PARTNER.apiKey;

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(() => t.close());
beforeEach(async () => {
  await call(t.url, "/_sandbox/reset", { method: "POST" });
  await seedPartner(t.url);
});

describe("Partner API authentication", () => {
  it("answers 401 in the meta shape without or with wrong credentials, 403 for another partner", async () => {
    const none = await call(t.url, P);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      meta: { success: false, http_code: 401, developer_message: expect.stringContaining("Missing credentials") as unknown, details: [] },
    });
    expect((await call(t.url, P, { key: "wrong-key-000000" })).status).toBe(401);
    expect((await call(t.url, P, { headers: { authorization: "Basic abc" } })).status).toBe(401);
    await seedPartner(t.url, { id: "otherPA", apiKey: "other-partner-key-01" });
    const foreign = await call(t.url, "/api/v2/partners/otherPA", { key });
    expect(foreign.status).toBe(403);
    expect(foreign.body.meta.http_code).toBe(403);
    const ok = await call(t.url, P, { key });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: TEST_PARTNER.id, brand_name: "Test Partner", partner_redirect_url: null, webhook_url: null });
  });

  it("issues bearer tokens that work until they expire", async () => {
    const bad = await call(t.url, "/api/v2/token", { method: "POST", json: { username: TEST_PARTNER.username, password: "nope" } });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe("invalid_grant");
    const tok = await call(t.url, "/api/v2/token", { method: "POST", json: { username: TEST_PARTNER.username, password: TEST_PARTNER.password } });
    expect(tok.status).toBe(200);
    expect(tok.body).toMatchObject({ token_type: "bearer", expires_in: 86_400 });
    const bearer = { authorization: `Bearer ${String(tok.body.access_token)}` };
    expect((await call(t.url, P, { headers: bearer })).status).toBe(200);
    t.clock.advance(86_400 * 1000 + 1);
    const expired = await call(t.url, P, { headers: bearer });
    expect(expired.status).toBe(401);
    expect(expired.body.meta.developer_message).toMatch(/expired/i);
    expect((await call(t.url, P, { headers: { authorization: "Bearer not-a-token" } })).status).toBe(401);
  });
});

describe("Partner API resources", () => {
  it("pages, sorts and filters clients and channels in the contract envelope", async () => {
    for (const email of ["b@c.test", "a@c.test", "c@c.test"]) await onboard(t.url, { email, companyName: `Co ${email}`, phoneNumber: `+49151000000${email.charCodeAt(0)}` });
    const page = await call(t.url, `${P}/clients?limit=2&offset=1&sort=-contact_info.email`, { key });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ count: 2, filters: {}, limit: 2, offset: 1, sort: ["-contact_info.email"], total: 3 });
    expect(page.body.clients.map((c: { contact_info: { email: string } }) => c.contact_info.email)).toEqual(["b@c.test", "a@c.test"]);
    expect(page.body.clients[0]).toMatchObject({ status: "active", max_channels: 10, partner_payload: null, suspicious: false });

    const filters = encodeURIComponent(JSON.stringify({ "contact_info.email": "c@c.test" }));
    const one = await call(t.url, `${P}/clients?filters=${filters}`, { key });
    expect(one.body).toMatchObject({ count: 1, total: 1, limit: 20, filters: { "contact_info.email": "c@c.test" } });

    const byPhone = encodeURIComponent(JSON.stringify({ "setup_info.phone_number": "+4915100000097", status: "running" }));
    const channels = await call(t.url, `${P}/channels?filters=${byPhone}`, { key });
    expect(channels.body.total).toBe(1);
    const ch = channels.body.partner_channels[0];
    expect(ch).toMatchObject({ status: "running", account_mode: "live", setup_info: { phone_number: "+4915100000097" } });
    expect(ch.client.contact_info.email).toBe("a@c.test");
    expect(ch.waba_account.id).toMatch(/WA$/);
    expect(ch.id).toMatch(/^[A-Za-z0-9]{8}CH$/);

    const badJson = await call(t.url, `${P}/channels?filters=${encodeURIComponent("{nope")}`, { key });
    expect(badJson.status).toBe(400);
    expect(badJson.body.meta).toMatchObject({ success: false, http_code: 400 });
    expect((await call(t.url, `${P}/channels?filters=${encodeURIComponent("[1]")}`, { key })).status).toBe(400);
    expect((await call(t.url, `${P}/channels?limit=1001`, { key })).status).toBe(400);
    expect((await call(t.url, `${P}/channels?limit=1000`, { key })).status).toBe(200);
  });

  it("updates the partner, its webhook URL and a client", async () => {
    const patched = await call(t.url, P, { method: "PATCH", key, json: { partner_redirect_url: "http://127.0.0.1:3000/r" } });
    expect(patched.body.partner_redirect_url).toBe("http://127.0.0.1:3000/r");
    const invalid = await call(t.url, P, { method: "PATCH", key, json: { webhook_url: "ftp://x" } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.meta.details[0]).toContain("webhook_url");
    const set = await call(t.url, `${P}/webhook_url`, { method: "POST", key, json: { webhook_url: "http://127.0.0.1:3000/hook", headers: { "x-partner-auth": "s" } } });
    expect(set.body).toEqual({ webhook_url: "http://127.0.0.1:3000/hook" });
    expect((await call(t.url, `${P}/webhook_url`, { key })).body).toEqual({ webhook_url: "http://127.0.0.1:3000/hook" });

    const { clientId } = await onboard(t.url);
    const client = await call(t.url, `${P}/clients/${clientId}`, { method: "PATCH", key, json: { partner_payload: "tenant-7", max_channels: 3 } });
    expect(client.body).toMatchObject({ id: clientId, partner_payload: "tenant-7", max_channels: 3 });
    expect((await call(t.url, `${P}/clients/${clientId}`, { method: "PATCH", key, json: { name: "x" } })).status).toBe(400);
    expect((await call(t.url, `${P}/clients/nopeCL`, { method: "PATCH", key, json: {} })).status).toBe(404);
  });

  it("reports shared client numbers with their permission", async () => {
    await seedPartner(t.url, { paymentMode: "direct" });
    const { clientId, channelIds } = await onboard(t.url, { phoneNumber: "+4915111111111" });
    const res = await call(t.url, `${P}/clients/${clientId}/shared_client_numbers`, { key });
    expect(res.body).toEqual({ numbers: [{ id: channelIds[0], phone_number: "+4915111111111", status: "running", shared: false }] });
  });
});

describe("API keys", () => {
  it("are issued only for running, permitted channels; a new key revokes the old one", async () => {
    await seedPartner(t.url, { paymentMode: "direct", lifecycleDelayMs: 60_000 });
    const { clientId, channelIds } = await onboard(t.url);
    const ch = channelIds[0] ?? "";
    const notRunning = await call(t.url, `${P}/channels/${ch}/api_keys`, { method: "POST", key });
    expect(notRunning.status).toBe(400);
    expect(notRunning.body.meta.developer_message).toContain('status "created"');

    await call(t.url, `/_sandbox/channels/${ch}/status`, { method: "POST", json: { status: "running" } });
    const notPermitted = await call(t.url, `${P}/channels/${ch}/api_keys`, { method: "POST", key });
    expect(notPermitted.status).toBe(403);
    expect(notPermitted.body.meta.developer_message).toContain("permission");

    // The client grants permission on the permission screen.
    const screen = await (await fetch(`${t.url}/dashboard/app/${TEST_PARTNER.id}/permissions?client_id=${clientId}`)).text();
    await postForm(`${t.url}/io/permissions`, [["flow", hiddenValue(screen, "flow")], ["channel", ch]]);

    const first = await call(t.url, `${P}/channels/${ch}/api_keys`, { method: "POST", key });
    expect(first.status).toBe(201);
    expect(Object.keys(first.body).sort()).toEqual(["address", "api_key", "app_id", "id"]);
    expect(first.body.address).toBe(t.url);
    expect((await call(t.url, "/v1/configs/templates", { d360: first.body.api_key })).status).toBe(200);

    const second = await call(t.url, `${P}/channels/${ch}/api_keys`, { method: "POST", key });
    expect(second.body.api_key).not.toBe(first.body.api_key);
    expect((await call(t.url, "/v1/configs/templates", { d360: first.body.api_key })).status).toBe(401);
    expect((await call(t.url, "/v1/configs/templates", { d360: second.body.api_key })).status).toBe(200);

    const listed = await call(t.url, `${P}/channels/${ch}/api_keys`, { key });
    expect(listed.body.api_keys).toHaveLength(1);
    expect(listed.body.api_keys[0].api_key).not.toBe(second.body.api_key);
    expect(listed.body.api_keys[0].api_key.endsWith(String(second.body.api_key).slice(-4))).toBe(true);
    expect((await call(t.url, `${P}/channels/nopeCH/api_keys`, { method: "POST", key })).status).toBe(404);
  });
});

describe("Account sharing", () => {
  it("onboards a shared WABA after the solution is configured", async () => {
    const body = { solution_id: "23475642367", waba_external_id: "31893466565234", waba_business_id: "89732461622213", tier: "basic" };
    const early = await call(t.url, `${P}/account_sharing/onboard`, { method: "POST", key, json: body });
    expect(early.status).toBe(400);
    const settings = await call(t.url, `${P}/settings/account_sharing`, { method: "PATCH", key, json: { solution_id: "23475642367", business_manager_id: null } });
    expect(settings.body).toEqual({ status_code: 200 });
    const missing = await call(t.url, `${P}/account_sharing/onboard`, { method: "POST", key, json: { solution_id: "23475642367", waba_external_id: "1" } });
    expect(missing.status).toBe(400);
    const res = await call(t.url, `${P}/account_sharing/onboard`, { method: "POST", key, json: body });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...body, client_id: expect.stringMatching(/CL$/) as unknown });
    const filters = encodeURIComponent(JSON.stringify({ "waba_account.external_id": body.waba_external_id }));
    const list = await call(t.url, `${P}/channels?filters=${filters}`, { key });
    expect(list.body.total).toBe(1);
    expect(list.body.partner_channels[0]).toMatchObject({ client_id: res.body.client_id, waba_account: { fb_business_id: body.waba_business_id } });
    const again = await call(t.url, `${P}/account_sharing/onboard`, { method: "POST", key, json: body });
    expect(again.body.client_id).toBe(res.body.client_id);
    expect(t.sb.state.channels.size).toBe(1);
  });
});
