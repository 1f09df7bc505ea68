import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import {
  NOT_ONBOARDED_HERE,
  addSandboxHub,
  channelCount,
  channelRow,
  clientOnboarding,
  createInvite,
  expectStatusPage,
  finishSandboxSignup,
  onboardAtSandbox,
  openConnectPopup,
  registerSandboxWebhooks,
  sandboxChannelFor,
  seedSandboxPartner,
  setOnboarding,
  suffix,
  uniquePhone,
  type SandboxPartner,
} from "./support/onboarding";
import { pageAlert } from "./support/portal";

// The redirect is a hint, never a command (docs/onboarding-redirect.md), against the production build: an
// anonymous visitor with a valid state of their own names another client and its number; and a 360dialog that
// does not echo `state` still completes a real sign-up for the browser that started it, on both payment modes.

/** A state of the attacker's own: start a sign-up on the landing page and read it off the 360dialog URL. */
async function ownState(page: Page): Promise<string> {
  await page.goto("/");
  const popup = await openConnectPopup(page);
  const state = new URL(popup.url()).searchParams.get("state");
  await popup.close();
  expect(state).toBeTruthy();
  return state!;
}

test("another client's id with revoked=[its number] and the attacker's own state: refused, the victim's key and permission untouched", async ({ newContext, adminPage, request }) => {
  test.setTimeout(60_000);
  await registerSandboxWebhooks(adminPage);
  const email = `victim-${suffix()}@client.test`;
  const victim = await onboardAtSandbox(request, { partnerId: "sandboxPA", email, phoneNumber: uniquePhone() });
  const channelId = victim.channelIds[0]!;
  // The victim's number runs and its key is stored (webhooks and the job runner of the portal).
  await expect.poll(async () => (await channelRow(adminPage, channelId)).innerText(), { timeout: 20_000 }).toContain("Stored ••••");

  const attacker = await (await newContext()).newPage();
  const state = await ownState(attacker);
  await attacker.goto(`/onboarding/redirect?client=${victim.clientId}&channels=[${channelId}]&revoked=[${channelId}]&state=${state}`);
  await expect(pageAlert(attacker)).toContainText("360dialog does not show an account or number created in this sign-up, so nothing was linked.");
  await expect(attacker.getByText(email)).toHaveCount(0);

  const row = await channelRow(adminPage, channelId);
  await expect(row).toContainText("granted");
  await expect(row).toContainText("Stored ••••");
  await expect(row).not.toContainText(/revoked/i);
  await expect(await clientOnboarding(adminPage, email)).toContainText(NOT_ONBOARDED_HERE);
});

test("direct payment: an invite's session naming another client's number grants nothing and links nothing", async ({ newContext, adminPage, request }) => {
  test.setTimeout(60_000);
  const id = `hijack${suffix()}PA`;
  const partner: SandboxPartner = { id, name: "Hijack direct", apiKey: `${id}-api-key`, platformSecret: `${id}-platform-secret`, paymentMode: "direct" };
  await seedSandboxPartner(request, partner);
  const hubName = `Direct ${id}`;
  await addSandboxHub(adminPage, partner, { name: hubName, paymentMode: "direct", openSignup: false });
  await setOnboarding(adminPage, hubName, { trigger: "popup" });
  const victim = await onboardAtSandbox(request, { partnerId: id, email: `dvictim-${suffix()}@client.test`, phoneNumber: uniquePhone(), permission: false });
  const channelId = victim.channelIds[0]!;
  const link = await createInvite(adminPage, { hubName, label: `Hijack ${id}` });

  const attacker = await (await newContext()).newPage();
  await attacker.goto(link);
  const popup = await openConnectPopup(attacker);
  const state = new URL(popup.url()).searchParams.get("state");
  await popup.close();
  await attacker.goto(`/onboarding/redirect?client=${victim.clientId}&channels=[${channelId}]&state=${state}`);
  await expect(pageAlert(attacker)).toContainText("nothing was linked");
  // Nothing about the number reached the portal through the redirect: no row, so no permission and no key.
  expect(await channelCount(adminPage, channelId)).toBe(0);
});

for (const paymentMode of ["partner", "direct"] as const) {
  test(`${paymentMode} payment: 360dialog leaves out state; the browser that started the sign-up completes it`, async ({ newContext, adminPage, request }) => {
    test.setTimeout(90_000);
    const id = `nostate${paymentMode}${suffix()}PA`;
    const partner: SandboxPartner = { id, name: `No state ${paymentMode}`, apiKey: `${id}-api-key`, platformSecret: `${id}-platform-secret`, paymentMode };
    await seedSandboxPartner(request, partner);
    const res = await request.post("http://localhost:8082/_sandbox/partners", { data: { ...partner, redirectState: "omit" } });
    expect(res.status()).toBeLessThan(300);
    const hubName = `No state ${paymentMode} ${id}`;
    await addSandboxHub(adminPage, partner, { name: hubName, paymentMode, openSignup: false });
    await setOnboarding(adminPage, hubName, { trigger: "popup" });
    const link = await createInvite(adminPage, { hubName, label: `No state ${id}`, purpose: "new_number" });

    const context = await newContext();
    const page = await context.newPage();
    let redirectUrl = "";
    page.on("popup", (popup) => popup.on("framenavigated", (frame) => frame.url().includes("/onboarding/redirect") && (redirectUrl = frame.url())));
    await page.goto(link);
    const popup = await openConnectPopup(page);
    const phone = uniquePhone();
    const closed = popup.waitForEvent("close");
    await finishSandboxSignup(popup, { email: `nostate-${suffix()}@client.test`, fullName: "Nina Nostate", company: `No State ${paymentMode} AG`, phone });
    if (paymentMode === "direct") {
      // Direct payment: 360dialog's permission screen, the number checked (shared with the partner).
      await expect(popup.getByRole("button", { name: "Confirm permissions" })).toBeVisible();
      await popup.getByRole("button", { name: "Confirm permissions" }).click();
    }
    await closed;
    expect(redirectUrl).not.toContain("state=");
    await expectStatusPage(page, phone);
    const channel = await sandboxChannelFor(request, phone);
    const row = await channelRow(adminPage, channel.id);
    await expect(row).toContainText(`No State ${paymentMode} AG`);
    // Permitted on both payment modes (direct: because 360dialog reports it shared), so its key follows.
    await expect(row).toContainText("granted");
  });
}
