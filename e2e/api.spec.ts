import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { SANDBOX, SANDBOX_PARTNER, expectStatusPage, finishSandboxSignup, openConnectPopup, registerSandboxWebhooks, seedSandboxPartner, suffix, uniquePhone } from "./support/onboarding";

// The partner's platform end to end: an admin makes a token in Settings (shown once), the platform creates an
// invite through the REST API, a client completes it in the browser against the sandbox, the number runs, and
// the platform claims its key once (the second claim is 410) while the dashboard shows it as already taken.

type Channel = { id: string; externalId: string; status: string; apiKey: { state: string; claimedBy: { kind: string; label: string } | null } };

async function createTokenInSettings(page: Page, name: string, scopes: string[]): Promise<string> {
  await page.goto("/dashboard/settings");
  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  await page.getByLabel("Name").fill(name);
  for (const scope of ["read", "onboard", "templates", "keys", "webhooks"]) {
    const box = page.getByRole("checkbox", { name: new RegExp(`^${scope}:`) });
    if (scopes.includes(scope)) await box.check();
    else await box.uncheck();
  }
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByTestId("new-api-token");
  await expect(shown).toBeVisible();
  const token = (await shown.innerText()).trim();
  expect(token).toMatch(/^ppt_[A-Za-z0-9_-]{43}$/);
  // Shown once: after a reload it is nowhere on the page, only its prefix in the list.
  await page.reload();
  const row = page.getByTestId("api-token-row").filter({ hasText: name });
  await expect(row).toContainText(scopes.slice().sort().join(", "));
  await expect(row).toContainText("Never");
  await expect(row).toContainText(token.slice(0, 8));
  expect(await page.content()).not.toContain(token);
  return token;
}

async function waitForChannel(request: APIRequestContext, auth: Record<string, string>, externalId: string, state: string): Promise<Channel> {
  let found: Channel | undefined;
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/channels?q=${encodeURIComponent(externalId)}`, { headers: auth });
        expect(res.status()).toBe(200);
        found = ((await res.json()) as { data: Channel[] }).data.find((c) => c.externalId === externalId);
        return found?.apiKey.state;
      },
      { timeout: 45_000, intervals: [500, 1000] },
    )
    .toBe(state);
  return found!;
}

test("a token made in Settings drives an invite through the API, the client onboards in the browser, and the key is claimed once", async ({ adminPage, newContext, request, baseURL }) => {
  test.setTimeout(120_000);
  await registerSandboxWebhooks(adminPage);
  await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: 300 });
  try {
    const token = await createTokenInSettings(adminPage, `CRM ${suffix()}`, ["read", "onboard", "keys"]);
    const auth = { Authorization: `Bearer ${token}` };

    // Without a token, with a wrong one, and without a scope: one documented error shape.
    const anonymous = await request.get("/api/v1/hubs");
    expect(anonymous.status()).toBe(401);
    expect(anonymous.headers()["content-type"]).toBe("application/problem+json");
    expect(await anonymous.json()).toMatchObject({ code: "unauthenticated:token" });
    const noScope = await request.post("/api/v1/templates", { headers: auth, data: {} });
    expect(noScope.status()).toBe(403);
    expect(await noScope.json()).toMatchObject({ code: "forbidden:scope", scope: "templates" });

    // The document is public and lists what the handlers serve.
    const doc = (await (await request.get("/api/v1/openapi.json")).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/v1/channels/{id}/api-key/claim");

    const hubs = (await (await request.get("/api/v1/hubs", { headers: auth })).json()) as { data: { id: string; partnerId: string }[] };
    const hub = hubs.data.find((h) => h.partnerId === SANDBOX_PARTNER.id)!;
    expect(hub).toBeTruthy();

    const email = `api-${suffix()}@client.test`;
    const created = await request.post("/api/v1/invites", { headers: auth, data: { hubId: hub.id, label: `API lead ${suffix()}`, prefill: { email, name: "Api Lead" } } });
    expect(created.status(), await created.text()).toBe(201);
    const invite = (await created.json()) as { invite: { id: string; state: string }; url: string; qrSvg: string };
    expect(invite.invite.state).toBe("valid");
    expect(invite.url.startsWith(`${baseURL}/join/`)).toBe(true);
    expect(invite.qrSvg.startsWith("<svg")).toBe(true);
    const single = await request.get(`/api/v1/invites/${invite.invite.id}`, { headers: auth });
    const etag = single.headers()["etag"]!;
    expect((await request.get(`/api/v1/invites/${invite.invite.id}`, { headers: { ...auth, "If-None-Match": etag } })).status()).toBe(304);

    // The client opens the link and connects a number at the sandbox.
    const client = await (await newContext()).newPage();
    await client.goto(invite.url);
    const popup = await openConnectPopup(client);
    const phone = uniquePhone();
    const closed = popup.waitForEvent("close");
    await finishSandboxSignup(popup, { email, fullName: "Api Lead", company: "Api GmbH", phone });
    await closed;
    await expectStatusPage(client, phone);

    // The platform follows the session and the number through the API.
    const sessions = (await (await request.get(`/api/v1/onboarding-sessions?invite=${invite.invite.id}`, { headers: auth })).json()) as { data: { status: string; channelExternalIds: string[]; steps: { kind: string }[] }[] };
    expect(sessions.data[0]).toMatchObject({ status: "completed" });
    const externalId = sessions.data[0]!.channelExternalIds[0]!;
    expect(sessions.data[0]!.steps.map((s) => s.kind)).toContain("client_confirmed");
    const waiting = await waitForChannel(request, auth, externalId, "waiting_to_be_claimed");
    expect(waiting.status).toBe("running");

    const claim = await request.post(`/api/v1/channels/${waiting.id}/api-key/claim`, { headers: auth });
    expect(claim.status(), await claim.text()).toBe(200);
    const { apiKey } = (await claim.json()) as { apiKey: string };
    // The key really is the number's live key at the hub.
    expect((await request.get(`${SANDBOX}/v1/configs/templates?limit=1`, { headers: { "D360-API-KEY": apiKey } })).status()).toBe(200);
    const again = await request.post(`/api/v1/channels/${waiting.id}/api-key/claim`, { headers: auth });
    expect(again.status()).toBe(410);
    expect(await again.json()).toMatchObject({ code: "gone:api_key_claimed" });
    const claimed = (await (await request.get(`/api/v1/channels/${waiting.id}`, { headers: auth })).json()) as Channel;
    expect(claimed.apiKey).toMatchObject({ state: "claimed", claimedBy: { kind: "api_token" } });
    expect(JSON.stringify(claimed)).not.toContain(apiKey);

    // The dashboard: the one reveal is spent, the key is not shown again.
    await adminPage.goto(`/dashboard/channels/${waiting.id}`);
    await expect(adminPage.getByText("Already shown once")).toBeVisible();
    await expect(adminPage.getByTestId("key-hand-over")).toContainText("Claimed through the API by token “CRM");
    await expect(adminPage.getByRole("button", { name: "Show key once" })).toHaveCount(0);
    expect(await adminPage.content()).not.toContain(apiKey);

    // The audit log has the claim, by the token; and the token list its last use.
    await adminPage.goto("/dashboard/settings/tokens");
    await expect(adminPage.getByTestId("api-token-row").filter({ hasText: token.slice(0, 8) })).not.toContainText("Never");
    await adminPage.getByTestId("api-token-row").filter({ hasText: token.slice(0, 8) }).getByRole("button", { name: /^Revoke/ }).click();
    await expect(adminPage.getByTestId("api-token-row").filter({ hasText: token.slice(0, 8) })).toContainText("Revoked");
    expect((await request.get("/api/v1/hubs", { headers: auth })).status()).toBe(401);
  } finally {
    await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: null });
  }
});

test("the API reference page lists every operation of the document for signed-in staff", async ({ adminPage, request }) => {
  const doc = (await (await request.get("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
  const count = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  await adminPage.goto("/dashboard/api");
  await expect(adminPage.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  await expect(adminPage.getByTestId("api-operation")).toHaveCount(count);
  await expect(adminPage.getByRole("heading", { name: "POST /api/v1/channels/{id}/api-key/claim" })).toBeVisible();
  await expect(adminPage.getByRole("heading", { name: "ApiKeyState" })).toBeVisible();
});
