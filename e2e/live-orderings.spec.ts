import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext, BrowserContext, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import {
  LANDING,
  SANDBOX,
  SANDBOX_PARTNER,
  channelRow,
  finishSandboxSignup,
  openConnectPopup,
  registerSandboxWebhooks,
  sandboxChannelFor,
  seedSandboxPartner,
  suffix,
  uniquePhone,
} from "./support/onboarding";
import { LIVE_GATE_DIR } from "./support/server-state";

// Live pages converge to what the database holds without a reload, whatever the order of the server render, the
// stream's connection and a change's commit. The orderings are forced, not hoped for: the e2e server honours a test
// gate (lib/live/test-gate.ts) that holds this browser's live stream at one stage of its opening while the test
// commits a change through the sandbox (360dialog's webhook reaches the portal, which stores it and its API key):
//   connect   - the page is rendered, its stream request has not been answered yet;
//   subscribe - the stream is open (the browser saw its headers) but the server has not subscribed yet;
//   ready     - the server is subscribed and LISTENing but has not said ready.
// Each ends with the open page showing the change, in place.

type Stage = "connect" | "subscribe" | "ready";

/** Holds every live stream this context opens at `stage` until release() (the cookie is read by the server). */
async function gate(context: BrowserContext, baseURL: string, stage: Stage) {
  const name = `g${suffix()}`;
  await context.addCookies([{ name: "e2e_live_gate", value: `${name}.${stage}`, url: baseURL }]);
  const file = (what: string) => path.join(LIVE_GATE_DIR, `${name}.${stage}.${what}`);
  return {
    reached: () => expect.poll(() => existsSync(file("reached")), { message: `the stream reached the ${stage} gate`, timeout: 20_000 }).toBe(true),
    release: () => writeFileSync(file("release"), "go"),
  };
}

/** The page stays the same document (no reload, no navigation): a marker set on it survives. */
async function markDocument(page: Page): Promise<() => Promise<void>> {
  await page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));
  return async () => {
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true), "the page was not reloaded").toBe(true);
  };
}

/** After the browser saw the stream open, long enough for a catch-up refresh on open to have come and gone. */
const AFTER_OPEN_MS = 2_000;

/** Signs a number up through the popup and lands on its status page; the number waits at "created". */
async function clientOnStatusPage(page: Page): Promise<{ phone: string }> {
  await page.goto("/");
  await expect(page.getByRole("heading", { name: LANDING.en.title, level: 1 })).toBeVisible();
  const popup = await openConnectPopup(page, LANDING.en.action);
  const phone = uniquePhone();
  const closed = popup.waitForEvent("close");
  await finishSandboxSignup(popup, { email: `live-${suffix()}@client.test`, fullName: "Lia Live", company: "Live GmbH", phone });
  await closed;
  await expect(page).toHaveURL(/\/onboarding\/status\/[A-Za-z0-9_-]{43}$/);
  await expect(page.getByTestId("status-number").first()).toContainText("Created:");
  return { phone };
}

/** The number goes live at 360dialog and, once the portal has stored it running with its key, resolves. */
async function numberBecomesReady(request: APIRequestContext, admin: Page, channelId: string): Promise<void> {
  const moved = await request.post(`${SANDBOX}/_sandbox/channels/${channelId}/status`, { data: { status: "running" } });
  expect(moved.status()).toBe(200);
  await expect
    .poll(async () => (await (await channelRow(admin, channelId)).innerText()).replace(/\s+/g, " "), {
      message: "the database holds the number running with its key",
      timeout: 30_000,
    })
    .toMatch(/Running.*Stored ••••/);
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ request }) => {
  // New numbers of the sandbox partner wait at "created" until a test moves them.
  await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: 3_600_000 });
});

test.afterAll(async ({ request }) => {
  await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: null });
});

for (const stage of ["connect", "subscribe", "ready"] as const) {
  test(`client status page: a number ready while the stream is held at "${stage}" shows "Ready to use" without a reload`, async ({ newContext, adminPage, request, baseURL }) => {
    test.setTimeout(90_000);
    await registerSandboxWebhooks(adminPage);
    const context = await newContext({ locale: "en-GB" });
    const held = await gate(context, baseURL!, stage);
    const page = await context.newPage();
    const { phone } = await clientOnStatusPage(page);
    const sameDocument = await markDocument(page);
    await held.reached();
    if (stage !== "connect") await page.waitForTimeout(AFTER_OPEN_MS);
    const live = page.getByRole("status").filter({ hasText: /^Live$/ });
    // Live only once the server listens (ready): never while the stream is held before that.
    await expect(live).toHaveCount(0);

    const channel = await sandboxChannelFor(request, phone);
    await numberBecomesReady(request, adminPage, channel.id);
    held.release();

    await expect(page.getByTestId("status-number").first()).toContainText("Ready to use: everything is set up.", { timeout: 15_000 });
    await expect(live).toBeVisible();
    await sameDocument();
  });
}

for (const stage of ["connect", "subscribe", "ready"] as const) {
  test(`staff Channels page: a number added while the stream is held at "${stage}" appears without a reload`, async ({ newContext, adminPage, request, baseURL }) => {
    test.setTimeout(60_000);
    await registerSandboxWebhooks(adminPage);
    const context = await newContext({ storageState: await adminPage.context().storageState() });
    const held = await gate(context, baseURL!, stage);
    const page = await context.newPage();
    await page.goto("/dashboard/channels");
    await expect(page.getByRole("heading", { name: "Channels", level: 1 })).toBeVisible();
    const sameDocument = await markDocument(page);
    await held.reached();
    if (stage !== "connect") await page.waitForTimeout(AFTER_OPEN_MS);

    const phone = uniquePhone();
    const onboard = await request.post(`${SANDBOX}/_sandbox/onboard`, {
      data: { partnerId: SANDBOX_PARTNER.id, email: `live-staff-${suffix()}@client.test`, name: "Sam Staff", phoneNumber: phone },
    });
    expect(onboard.status(), await onboard.text()).toBeLessThan(300);
    const channelId = ((await onboard.json()) as { channelIds: string[] }).channelIds[0]!;
    // The database has the number (another staff member's page, freshly loaded, lists it).
    await expect.poll(async () => (await channelRow(adminPage, channelId)).count(), { timeout: 30_000 }).toBe(1);
    held.release();

    await expect(page.getByRole("main").getByRole("row").filter({ hasText: channelId })).toBeVisible({ timeout: 15_000 });
    await expect(page.getByRole("status").filter({ hasText: /^Live$/ })).toBeVisible();
    await sameDocument();
  });
}
