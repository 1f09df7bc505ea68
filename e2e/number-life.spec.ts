import type { APIRequestContext, BrowserContextOptions, BrowserContext, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import {
  SANDBOX,
  SANDBOX_PARTNER,
  expectStatusPage,
  finishSandboxSignup,
  openConnectPopup,
  registerSandboxWebhooks,
  sandboxChannelFor,
  seedSandboxPartner,
  suffix,
  uniquePhone,
} from "./support/onboarding";

// A number's whole life against the sandbox (docs/channel-lifecycle.md): its cancellation requested and
// processed, a violation, a key generation that fails. Each event comes through the sandbox's signed
// partner-webhook delivery, as 360dialog would send it.

test.describe.configure({ mode: "serial" });

type NewContext = (options?: BrowserContextOptions) => Promise<BrowserContext>;

/** A client signs up through the landing page; returns its status page and the sandbox channel id, running. */
async function clientWithRunningNumber(newContext: NewContext, request: APIRequestContext): Promise<{ page: Page; channelId: string }> {
  const page = await (await newContext({ locale: "en-GB" })).newPage();
  await page.goto("/");
  const popup = await openConnectPopup(page);
  const phone = uniquePhone();
  const closed = popup.waitForEvent("close");
  await finishSandboxSignup(popup, { email: `life-${suffix()}@client.test`, fullName: "Lia Life", company: "Life GmbH", phone });
  await closed;
  await expectStatusPage(page, phone);
  const channel = await sandboxChannelFor(request, phone);
  expect((await request.post(`${SANDBOX}/_sandbox/channels/${channel.id}/status`, { data: { status: "running" } })).ok()).toBe(true);
  await expect(page.getByTestId("status-number")).toContainText(/Running|Ready to use/, { timeout: 30_000 });
  return { page, channelId: channel.id };
}

/** The staff channel page of a sandbox channel, found through the Channels search. */
async function openChannel(admin: Page, channelId: string): Promise<void> {
  await admin.goto(`/dashboard/channels?q=${encodeURIComponent(channelId)}`);
  await admin.getByRole("main").getByRole("row").filter({ hasText: channelId }).getByRole("link").first().click();
  await expect(admin).toHaveURL(/\/dashboard\/channels\/[0-9a-f-]{36}$/);
}

/** Reloads until the page shows the text: for what arrives through a background job rather than a live push. */
async function eventually(page: Page, check: () => Promise<void>, timeout = 30_000): Promise<void> {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout, intervals: [500, 1_000, 2_000] });
}

test.beforeAll(async ({ request }) => {
  await request.post(`${SANDBOX}/_sandbox/faults`, { data: {} });
  // Numbers wait at "created" until a test moves them, whatever timing other specs gave the sandbox.
  await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: 3_600_000 });
});

test.afterAll(async ({ request }) => {
  await request.post(`${SANDBOX}/_sandbox/faults`, { data: {} });
  await seedSandboxPartner(request, { ...SANDBOX_PARTNER, lifecycleDelayMs: null });
});

test("a running number's cancellation is requested, then processed: staff and the client read so", async ({ newContext, adminPage, request }) => {
  test.setTimeout(90_000);
  await registerSandboxWebhooks(adminPage);
  const { page: status, channelId } = await clientWithRunningNumber(newContext, request);

  const requested = await request.post(`${SANDBOX}/_sandbox/channels/${channelId}/cancellation`, { data: { step: "request", terminatedAt: "2030-01-31T23:59:59Z" } });
  expect(requested.status()).toBe(202);
  await expect(status.getByTestId("status-number")).toContainText("Cancellation requested: this number keeps working until 31 January 2030", { timeout: 30_000 });

  await openChannel(adminPage, channelId);
  await expect(adminPage.getByTestId("channel-cancellation")).toContainText("Cancellation requested (ends 31 Jan 2030, 23:59 UTC)");
  await expect(adminPage.getByText("The client asked 360dialog to cancel this number")).toBeVisible();

  expect((await request.post(`${SANDBOX}/_sandbox/channels/${channelId}/cancellation`, { data: { step: "process" } })).status()).toBe(202);
  await expect(status.getByTestId("status-number")).toContainText("Cancelled: this number no longer sends or receives", { timeout: 30_000 });
  await eventually(adminPage, async () => {
    await expect(adminPage.getByTestId("channel-cancellation")).toHaveText("Cancelled", { timeout: 1_000 });
  });
  await expect(adminPage.getByText("The number was cancelled: its key was revoked and no longer works.")).toBeVisible();
  await expect(adminPage.getByRole("button", { name: /Regenerate|Show key once|Retry/ })).toHaveCount(0);
  // The sandbox left it in an undocumented status string: tolerated, shown raw, and not "needing attention".
  await expect(adminPage.getByText("Other: terminated")).toBeVisible();
  await expect(adminPage.getByText("a status this portal does not know")).toHaveCount(0);

  // The Channels list filters the end of life; the Clients list counts it.
  await adminPage.goto(`/dashboard/channels?status=cancelled&q=${encodeURIComponent(channelId)}`);
  await expect(adminPage.getByRole("main").getByRole("row").filter({ hasText: channelId })).toContainText("Cancelled");
  await adminPage.goto(`/dashboard/channels?status=cancellation_requested&q=${encodeURIComponent(channelId)}`);
  await expect(adminPage.getByRole("main").getByRole("row").filter({ hasText: channelId })).toHaveCount(0);
});

test("a violation counts as needing attention, with its type and next step, and the client's page explains", async ({ newContext, adminPage, request }) => {
  test.setTimeout(90_000);
  const { page: status, channelId } = await clientWithRunningNumber(newContext, request);
  await adminPage.goto("/dashboard");
  const before = Number((await adminPage.getByText(/^Needs attention \(\d+\)$/).innerText()).match(/\d+/)![0]);

  expect((await request.post(`${SANDBOX}/_sandbox/channels/${channelId}/violation`, { data: { event: "account_violation", violationType: "SCAM" } })).status()).toBe(202);
  await expect(status.getByTestId("status-number")).toContainText("Limited by WhatsApp: Meta found messages from this number that break WhatsApp's rules", { timeout: 30_000 });

  await eventually(adminPage, async () => {
    await expect(adminPage.getByText(`Needs attention (${before + 1})`)).toBeVisible({ timeout: 1_000 });
  });
  // The Overview shows the oldest few; the whole list, by reason, is a click away (as a user finds it).
  await adminPage.getByTestId("stuck-more").getByRole("link", { name: /, by reason$/ }).click();
  await expect(adminPage.getByRole("heading", { name: "Needs attention", level: 1 })).toBeVisible();
  const restrictedOption = adminPage.getByLabel("Reason").locator("option", { hasText: /^Restricted \(\d+\)$/ });
  const restrictedBefore = Number((await restrictedOption.innerText()).match(/\d+/)![0]);
  expect(restrictedBefore).toBeGreaterThanOrEqual(1);
  await adminPage.getByLabel("Reason").selectOption("restricted");
  await adminPage.getByRole("button", { name: "Filter" }).click();
  // The form sends every field; with more than one hub, the hub's "All hubs" too (empty: no filter).
  await expect(adminPage).toHaveURL(/\/dashboard\/attention\?rule=restricted(&hub=)?$/);
  await expect(adminPage.getByRole("status").filter({ hasText: "Showing" })).toHaveCount(0);
  await expect(adminPage.getByTestId("stuck-paging")).toContainText(/^\d+ shown of \d+ \(restricted\), oldest first\.$/);
  const item = adminPage.getByRole("list", { name: "Stuck numbers" }).getByRole("listitem").filter({ hasText: "violation type SCAM" });
  await expect(item).toContainText("Meta reported a policy violation (violation type SCAM)");
  // Only restricted numbers are listed under that reason.
  await expect(adminPage.getByRole("list", { name: "Stuck numbers" }).getByRole("listitem").filter({ hasText: "Creating the API key failed" })).toHaveCount(0);
  await expect(item).toContainText("Next step: Review messages that could read as scam with the client");

  await openChannel(adminPage, channelId);
  await expect(adminPage.getByTestId("channel-restriction")).toContainText("violation type SCAM");
  // Meta lowered the number's quality: the next channel event carries it, and the history has a row for the change.
  await request.post(`${SANDBOX}/_sandbox/channels/${channelId}/signals`, { data: { qualityRating: "YELLOW" } });
  await request.post(`${SANDBOX}/_sandbox/channels/${channelId}/status`, { data: { status: "running" } });
  await eventually(adminPage, async () => {
    await expect(adminPage.getByText("Quality rating GREEN → YELLOW")).toBeVisible({ timeout: 1_000 });
  });
  // Staff who checked WhatsApp Manager mark it resolved: it leaves the list and the count.
  await adminPage.goto("/dashboard/attention?rule=restricted");
  await item.getByRole("button", { name: "Mark resolved" }).click();
  await eventually(adminPage, async () => {
    await expect(adminPage.getByLabel("Reason").locator("option", { hasText: /^Restricted \(/ })).toHaveText(`Restricted (${restrictedBefore - 1})`, { timeout: 1_000 });
  });
  await adminPage.goto("/dashboard");
  await expect(adminPage.getByText(`Needs attention (${before})`)).toBeVisible();
});

test("a key generation that fails shows the failure, the next try and the hub's answer; Retry now makes the key", async ({ adminPage, request }) => {
  test.setTimeout(120_000);
  await request.post(`${SANDBOX}/_sandbox/faults`, { data: { apiKeyFailures: { count: 2, status: 503, message: "Failed to create API key for the channel" } } });
  const phone = uniquePhone();
  const onboard = await request.post(`${SANDBOX}/_sandbox/onboard`, { data: { partnerId: "sandboxPA", email: `key-${suffix()}@client.test`, name: "Kai Key", phoneNumber: phone } });
  const { channelIds } = (await onboard.json()) as { channelIds: string[] };
  const channelId = channelIds[0]!;
  await request.post(`${SANDBOX}/_sandbox/channels/${channelId}/status`, { data: { status: "running" } });

  await expect(async () => openChannel(adminPage, channelId)).toPass({ timeout: 30_000 });
  // The first attempt fails at once, the second about 5 s later; then the job waits minutes.
  await eventually(adminPage, async () => {
    await expect(adminPage.getByText(/Key generation failed \(2 of \d+ attempts\)/)).toBeVisible({ timeout: 1_000 });
  });
  await expect(adminPage.getByTestId("key-error")).toContainText("HTTP 503: Failed to create API key for the channel");
  await expect(adminPage.getByTestId("key-next-try")).toHaveText(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}$/);
  // No key exists: nothing to regenerate, only to retry.
  await expect(adminPage.getByRole("button", { name: "Regenerate key" })).toHaveCount(0);
  await expect(adminPage.getByText("Being generated")).toHaveCount(0);

  await adminPage.goto("/dashboard/attention?rule=key_failing");
  await expect(adminPage.getByRole("list", { name: "Stuck numbers" }).getByRole("listitem").filter({ hasText: phone }).filter({ hasText: "Creating the API key failed 2 times" })).toBeVisible();

  await openChannel(adminPage, channelId);
  await adminPage.getByRole("button", { name: "Retry now" }).click();
  await eventually(adminPage, async () => {
    await expect(adminPage.getByTestId("key-state")).toContainText("Stored, ending in", { timeout: 1_000 });
  });
});
