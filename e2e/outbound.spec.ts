import type { Page } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { startWebhookReceiver, type TestWebhookReceiver } from "../test/support/webhook-receiver";
import { expect, test } from "./support/fixtures";
import { SANDBOX_PARTNER, expectStatusPage, finishSandboxSignup, openConnectPopup, registerSandboxWebhooks, seedSandboxPartner, suffix, uniquePhone } from "./support/onboarding";

// Outbound events end to end (docs/outbound-webhooks.md): an admin adds an endpoint (a local receiver) in
// Settings, the platform creates an invite through the API, a client onboards in the browser against the sandbox,
// and the receiver gets that onboarding's events, each verified with the Standard Webhooks library and in order
// per resource; the platform claims the key once on channel.api_key.ready; a delivery is replayed from the log.

type Envelope = { id: string; type: string; timestamp: string; data: { object: { id?: string } | null; [k: string]: unknown } };

async function tokenFromSettings(page: Page, name: string): Promise<string> {
  await page.goto("/dashboard/settings/tokens");
  await page.getByLabel("Name").fill(name);
  for (const scope of ["read", "onboard", "keys"]) await page.getByRole("checkbox", { name: new RegExp(`^${scope}:`) }).check();
  await page.getByRole("button", { name: "Create token" }).click();
  return (await page.getByTestId("new-api-token").innerText()).trim();
}

async function addEndpoint(page: Page, url: string): Promise<{ secret: string; endpointPath: string }> {
  await page.goto("/dashboard/settings");
  await page.getByRole("main").getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();
  await page.getByLabel("URL").fill(url);
  await page.getByLabel("Description").fill(`e2e ${suffix()}`);
  await page.getByRole("checkbox", { name: /Every event type/ }).check();
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const secret = (await page.getByTestId("endpoint-secret").innerText()).trim();
  expect(secret).toMatch(/^whsec_/);
  const endpointPath = (await page.getByRole("link", { name: "Open the endpoint" }).getAttribute("href"))!;
  return { secret, endpointPath };
}

test("an endpoint added in Settings receives an onboarding's events, signed and in order; the key is claimed once; a delivery is replayed", async ({ adminPage, newContext, request }) => {
  test.setTimeout(150_000);
  const receiver: TestWebhookReceiver = await startWebhookReceiver();
  await registerSandboxWebhooks(adminPage);
  await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: 300 });
  try {
    const token = await tokenFromSettings(adminPage, `Outbound ${suffix()}`);
    const auth = { Authorization: `Bearer ${token}` };
    const { secret, endpointPath } = await addEndpoint(adminPage, receiver.url);
    const verified = (): { id: string; event: Envelope }[] =>
      receiver.received.map((r) => ({ id: String(r.headers["webhook-id"]), event: new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as Envelope }));

    const hubs = (await (await request.get("/api/v1/hubs", { headers: auth })).json()) as { data: { id: string; partnerId: string }[] };
    const hub = hubs.data.find((h) => h.partnerId === SANDBOX_PARTNER.id)!;
    const email = `out-${suffix()}@client.test`;
    const created = await request.post("/api/v1/invites", { headers: auth, data: { hubId: hub.id, label: `Outbound lead ${suffix()}`, prefill: { email, name: "Out Lead" } } });
    expect(created.status(), await created.text()).toBe(201);
    const invite = (await created.json()) as { url: string };

    const client = await (await newContext()).newPage();
    await client.goto(invite.url);
    const popup = await openConnectPopup(client);
    const phone = uniquePhone();
    const closed = popup.waitForEvent("close");
    await finishSandboxSignup(popup, { email, fullName: "Out Lead", company: "Out GmbH", phone });
    await closed;
    await expectStatusPage(client, phone);

    // The key is ready: the platform hears it, then claims it once.
    let ready: Envelope | undefined;
    await expect
      .poll(() => (ready = verified().find((v) => v.event.type === "channel.api_key.ready" && (v.event.data.object as { phoneNumber?: string } | null)?.phoneNumber?.endsWith(phone.slice(-6)))?.event)?.id, { timeout: 60_000, intervals: [500, 1000] })
      .toBeTruthy();
    const channelId = ready!.data.object!.id!;
    const all = verified();
    // Every request's webhook-id is its event's id, and every signature verified above.
    expect(all.every((v) => v.id === v.event.id)).toBe(true);
    // This channel's events arrived in the order they happened, and carry the channel as the API returns it.
    const ofChannel = all.filter((v) => v.event.data.object?.id === channelId).map((v) => v.event);
    const types = ofChannel.map((e) => e.type);
    expect(types[0]).toBe("channel.created");
    expect(types).toContain("channel.running");
    expect(types.indexOf("channel.running")).toBeLessThan(types.indexOf("channel.api_key.ready"));
    const times = ofChannel.map((e) => Date.parse(e.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The onboarding itself: started before completed, and the client.
    const sessionTypes = all.map((v) => v.event.type).filter((t) => t.startsWith("onboarding."));
    expect(sessionTypes.indexOf("onboarding.started")).toBeGreaterThanOrEqual(0);
    expect(sessionTypes.lastIndexOf("onboarding.started")).toBeLessThan(sessionTypes.lastIndexOf("onboarding.completed"));
    expect(all.map((v) => v.event.type)).toContain("client.created");

    const claim = await request.post(`/api/v1/channels/${channelId}/api-key/claim`, { headers: auth });
    expect(claim.status(), await claim.text()).toBe(200);
    expect((await request.post(`/api/v1/channels/${channelId}/api-key/claim`, { headers: auth })).status()).toBe(410);
    const { apiKey } = (await claim.json()) as { apiKey: string };
    expect(receiver.received.some((r) => r.body.includes(apiKey))).toBe(false);

    // Replay from the delivery log: the same event again, with the same webhook-id.
    const before = receiver.received.filter((r) => r.headers["webhook-id"] === ready!.id).length;
    await adminPage.goto(endpointPath);
    const row = adminPage.getByTestId("delivery-row").filter({ hasText: ready!.id });
    await expect(row).toHaveAttribute("data-status", "delivered");
    await row.getByRole("button", { name: "Replay" }).click();
    await expect.poll(() => receiver.received.filter((r) => r.headers["webhook-id"] === ready!.id).length, { timeout: 20_000 }).toBe(before + 1);
    const replayed = receiver.received.filter((r) => r.headers["webhook-id"] === ready!.id).at(-1)!;
    expect((new Webhook(secret).verify(replayed.body, replayed.headers as Record<string, string>) as Envelope).type).toBe("channel.api_key.ready");
  } finally {
    await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: null });
    await receiver.close();
  }
});
