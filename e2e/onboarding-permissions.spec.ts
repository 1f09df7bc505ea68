import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import {
  addSandboxHub,
  channelRow,
  createInvite,
  expectStatusPage,
  inviteRow,
  onboardAtSandbox,
  openConnectPopup,
  seedSandboxPartner,
  suffix,
  uniquePhone,
} from "./support/onboarding";

// A direct-payment hub (clients pay 360dialog, so API access needs their permission): an invite of purpose
// "permission" opens 360dialog's permission screen; the redirect's channels and revoked set each number's
// permission, which the staff Channels page shows.

async function answerPermissionScreen(page: Page, phone: string, allow: boolean, brand: string): Promise<void> {
  await expect(page.getByRole("heading", { name: `Give ${brand} access to your WhatsApp numbers`, level: 1 })).toBeVisible();
  const popup = await openConnectPopup(page, "Review access");
  expect(new URL(popup.url()).pathname).toMatch(/\/permissions$/);
  await expect(popup.getByRole("heading", { name: "Grant API access" })).toBeVisible();
  await popup.getByLabel(new RegExp(phone.replace("+", "\\+"))).setChecked(allow);
  const closed = popup.waitForEvent("close");
  await popup.getByRole("button", { name: "Confirm permissions" }).click();
  await closed;
}

test("permission request: the client grants access to a number, then withdraws it", async ({ adminPage, newContext, request }) => {
  test.setTimeout(90_000);
  const id = `perm${suffix()}PA`;
  const partner = { id, name: "Direct partner", apiKey: `${id}-api-key`, platformSecret: `${id}-platform-secret`, paymentMode: "direct" as const };
  await seedSandboxPartner(request, partner);
  const hubName = `Direct hub ${id}`;
  await addSandboxHub(adminPage, partner, { name: hubName, paymentMode: "direct", openSignup: false });

  // An existing client of the partner with one number, not yet permitted.
  const email = `permit-${suffix()}@client.test`;
  const phone = uniquePhone();
  const existing = await onboardAtSandbox(request, { partnerId: id, email, phoneNumber: phone, permission: false });
  const channelId = existing.channelIds[0]!;

  const label = `Permission ${id}`;
  const link = await createInvite(adminPage, { hubName, label, purpose: "permission", email, maxUses: 2, clientId: existing.clientId });

  const context = await newContext();
  const page = await context.newPage();
  await page.goto(link);
  await expect(page.getByText("Unchecked numbers lose the access.")).toBeVisible();
  await answerPermissionScreen(page, phone, true, hubName);
  await expectStatusPage(page, phone);
  await expect(page.getByRole("main")).toContainText("Nothing right now.");
  await expect(await channelRow(adminPage, channelId)).toContainText("granted");

  await page.goto(link);
  await answerPermissionScreen(page, phone, false, hubName);
  await expect(page).toHaveURL(/\/onboarding\/status\//);
  // (The status page lists the numbers a session permitted; a withdrawn one is not listed: lib/onboarding/status-page.ts.)
  await expect(page.getByTestId("session-words")).toContainText("Your sign-up is complete.");
  await expect(await channelRow(adminPage, channelId)).toContainText("revoked");

  const row = await inviteRow(adminPage, label);
  await expect(row).toContainText("Permission request");
  await expect(row).toContainText("2 of 2");
  await expect(row).toContainText("Used up");
});
