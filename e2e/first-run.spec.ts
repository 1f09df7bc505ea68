import type { Locator, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import {
  LANDING,
  SANDBOX,
  SANDBOX_HUB,
  SANDBOX_PARTNER,
  addSandboxHub,
  clientOnboarding,
  createInvite,
  editHub,
  finishSandboxSignup,
  openConnectPopup,
  registerSandboxWebhooks,
  seedSandboxPartner,
  setOnboarding,
  suffix,
  uniquePhone,
} from "./support/onboarding";

// What a partner meets after installing: the Overview's getting-started checklist ticking itself from what is
// stored, the client's status-page link for staff, the invite-only start page in the partner's brand, and a
// permission request refused where 360dialog grants the permission anyway.

test.describe.configure({ mode: "serial" });

function item(page: Page, key: string): Locator {
  return page.getByTestId(`checklist-${key}`);
}

async function sandboxHubId(admin: Page): Promise<string> {
  await admin.goto("/dashboard/settings");
  const href = await admin.getByRole("link", { name: `Onboarding settings of ${SANDBOX_HUB}`, exact: true }).getAttribute("href");
  return href!.split("/").pop()!;
}

test("the Overview's getting-started checklist links to each step and ticks itself as the steps are done", async ({ adminPage: page, request }) => {
  test.setTimeout(120_000);
  await page.goto("/dashboard");
  const checklist = page.getByRole("list", { name: "Getting started" });
  await expect(checklist).toBeVisible();
  await expect(checklist.getByRole("listitem")).toHaveCount(6);
  // Every item links into the dashboard, to where it is done.
  for (const href of await checklist.getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""))) {
    expect(href).toMatch(/^\/dashboard\//);
  }
  await item(page, "invite").getByRole("link", { name: "Invites" }).click();
  await expect(page.getByRole("heading", { name: "Invites", level: 1 })).toBeVisible();

  // URLs registered at 360dialog (read back by the portal), then branding, an invite and a running number.
  await registerSandboxWebhooks(page);
  await setOnboarding(page, SANDBOX_HUB, { brandName: "Getting Started Co", accentColor: "#7b2d8e" });
  try {
    await createInvite(page, { hubName: SANDBOX_HUB, label: `First invite ${suffix()}` });
    await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: 3_600_000 });
    const onboard = await request.post(`${SANDBOX}/_sandbox/onboard`, {
      data: { partnerId: SANDBOX_PARTNER.id, email: `first-${suffix()}@client.test`, name: "Fia First", phoneNumber: uniquePhone() },
    });
    const channelId = ((await onboard.json()) as { channelIds: string[] }).channelIds[0]!;
    await page.goto("/dashboard");
    await expect(item(page, "urls")).toContainText("(done)");
    await expect(item(page, "urls")).toContainText("Webhooks from 360dialog are arriving.", { timeout: 20_000 });
    await expect(item(page, "branding")).toContainText("(done)");
    await expect(item(page, "invite")).toContainText("(done)");
    await expect(item(page, "platform_secret")).toContainText("(done)");
    // The number goes live: the open Overview ticks it without a reload.
    const moved = await request.post(`${SANDBOX}/_sandbox/channels/${channelId}/status`, { data: { status: "running" } });
    expect(moved.status()).toBe(200);
    await expect(item(page, "running")).toContainText("(done)", { timeout: 30_000 });
  } finally {
    await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: null });
    await setOnboarding(page, SANDBOX_HUB, { brandName: "", accentColor: "#0b6e4c" });
  }

  // The sandbox is not the partner's own hub: until one is added, the first step stays open and says so.
  await page.goto("/dashboard");
  if (await item(page, "credentials").getByText("Only the local sandbox hub so far").isVisible()) {
    await expect(item(page, "credentials")).toContainText("(to do)");
    await expect(item(page, "credentials").getByRole("link", { name: "Add a hub" })).toHaveAttribute("href", "/dashboard/settings?new=1");
  }
  const id = `first${suffix()}PA`;
  const partner = { id, apiKey: `${id}-api-key`, platformSecret: `${id}-platform-secret` };
  await seedSandboxPartner(request, partner);
  await addSandboxHub(page, partner, { name: `Own hub ${id}`, openSignup: false });
  await page.goto("/dashboard");
  await expect(item(page, "credentials")).toContainText("(done)");
});

test("at 390 px the checklist fits the screen", async ({ adminPage: page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/dashboard");
  const checklist = page.getByRole("list", { name: "Getting started" });
  await expect(checklist).toBeVisible();
  const box = await checklist.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(390);
  for (const link of await checklist.getByRole("link").all()) {
    const b = await link.boundingBox();
    expect(b!.x + b!.width).toBeLessThanOrEqual(390);
  }
});

test("staff find and copy a client's status-page link on the client's page", async ({ adminPage, newContext }) => {
  test.setTimeout(60_000);
  const client = await newContext({ locale: "en-GB" });
  const page = await client.newPage();
  await page.goto("/");
  const popup = await openConnectPopup(page, LANDING.en.action);
  const email = `status-link-${suffix()}@client.test`;
  const closed = popup.waitForEvent("close");
  await finishSandboxSignup(popup, { email, fullName: "Sol Status", company: "Status GmbH", phone: uniquePhone() });
  await closed;
  await expect(page).toHaveURL(/\/onboarding\/status\/[A-Za-z0-9_-]{43}$/);
  const statusUrl = page.url();

  await adminPage.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  const sessions = await clientOnboarding(adminPage, email);
  const link = sessions.getByTestId("status-page-link");
  await expect(link.getByRole("link")).toHaveAttribute("href", statusUrl);
  await link.getByRole("button", { name: "Copy status link" }).click();
  await expect(link.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await adminPage.evaluate(() => navigator.clipboard.readText())).toBe(statusUrl);

  // The link is the client's own page.
  const again = await (await newContext()).newPage();
  await again.goto(statusUrl);
  await expect(again.getByRole("heading", { name: "Your WhatsApp setup", level: 1 })).toBeVisible();
});

for (const width of [1280, 390]) {
  test(`with open signup off the start page keeps the partner's name and colour and sends the client to their invite link (${width} px)`, async ({ adminPage, newContext }) => {
    const hubId = await sandboxHubId(adminPage);
    await setOnboarding(adminPage, SANDBOX_HUB, { brandName: "Closed Signup Co", accentColor: "#7b2d8e" });
    await editHub(adminPage, SANDBOX_HUB, { openSignup: false });
    try {
      const page = await (await newContext({ locale: "en-GB", viewport: { width, height: 900 } })).newPage();
      await page.goto(`/?hub=${hubId}`);
      await expect(page.getByText("Closed Signup Co", { exact: true })).toBeVisible();
      const border = await page.locator('div[style*="--accent"]').first().evaluate((el) => getComputedStyle(el).borderTopColor);
      expect(border).toBe("rgb(123, 45, 142)");
      await expect(page.getByRole("main").getByRole("status")).toContainText("Sign-up here is by invitation only.");
      await expect(page.getByRole("main").getByRole("button")).toHaveCount(0);
      // No step tells the client to click a button this page does not have.
      await expect(page.getByRole("main")).toContainText("Open the personal invite link from Closed Signup Co and click “Connect WhatsApp” there.");
      await expect(page.getByRole("main").getByText("Click “Connect WhatsApp”. A window of 360dialog opens.")).toHaveCount(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      // The language switch keeps the hub.
      await page.getByRole("navigation", { name: "Language" }).getByRole("link", { name: "Deutsch" }).click();
      await expect(page).toHaveURL(new RegExp(`hub=${hubId}`));
      await expect(page.getByText("Closed Signup Co", { exact: true })).toBeVisible();
    } finally {
      await editHub(adminPage, SANDBOX_HUB, { openSignup: true });
      await setOnboarding(adminPage, SANDBOX_HUB, { brandName: "", accentColor: "#0b6e4c" });
    }
  });
}

test("a permission request on a partner-payment hub is refused with the reason", async ({ adminPage: page }) => {
  await page.goto("/dashboard/invites");
  const form = page.locator("form").filter({ has: page.getByRole("button", { name: "Create invite link" }) });
  const hubSelect = form.getByLabel("Hub", { exact: true });
  if ((await hubSelect.count()) > 0) await hubSelect.selectOption({ label: SANDBOX_HUB });
  await form.getByLabel("Label").fill(`Permission on partner payment ${suffix()}`);
  await form.getByLabel("Permission request").check();
  await form.getByLabel("360dialog client ID").fill("AnyClientCL");
  await form.getByRole("button", { name: "Create invite link" }).click();
  await expect(form).toContainText("uses partner payment: it already has API-key permission for every number of its clients, so there is nothing to ask.");
  await expect(page.getByTestId("invite-link")).toHaveCount(0);
});
