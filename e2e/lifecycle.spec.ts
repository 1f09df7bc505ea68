import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./support/fixtures";

// The core loop against the sandbox: signed webhooks in, channels followed live, one API key per number.
const SANDBOX = "http://localhost:8082";

type SandboxState = {
  channels: { id: string; status: string }[];
  apiKeys: { channelId: string; revokedAt: string | null }[];
};

async function sandboxState(request: APIRequestContext): Promise<SandboxState> {
  return (await request.get(`${SANDBOX}/_sandbox/state`)).json();
}

test.describe.configure({ mode: "serial" });

test("a number onboarded at the hub is followed live to running, with one key shown exactly once", async ({ adminPage: page }) => {
  test.setTimeout(90_000);
  await page.request.post(`${SANDBOX}/_sandbox/faults`, { data: {} });
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 300 } });
  await page.goto("/dashboard/channels");
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();

  const phone = `+49151${Date.now().toString().slice(-7)}`;
  const onboard = await page.request.post(`${SANDBOX}/_sandbox/onboard`, {
    data: { partnerId: "sandboxPA", email: "lena@example.com", name: "Lena Lifecycle", phoneNumber: phone },
  });
  expect(onboard.ok()).toBe(true);
  const { channelIds } = (await onboard.json()) as { channelIds: string[] };
  const channelId = channelIds[0]!;

  // No reload: the page follows the webhooks through live updates.
  const row = page.getByRole("row").filter({ hasText: channelId });
  await expect(row).toContainText("Running", { timeout: 30_000 });
  await expect(row).toContainText("Stored ••••", { timeout: 30_000 });

  await row.getByRole("link", { name: phone }).click();
  // The single reveal is not spent on a mis-click: the first click asks, Cancel goes back without a request.
  const reveals: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith(`/api-key`)) reveals.push(r.url());
  });
  await page.getByRole("button", { name: "Show key once" }).click();
  const confirm = page.getByRole("group", { name: "Confirm showing the key" });
  await expect(confirm).toContainText("shown one time only");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toHaveCount(0);
  await expect(page.getByTestId("revealed-key")).toHaveCount(0);
  expect(reveals).toEqual([]);
  await page.getByRole("button", { name: "Show key once" }).click();
  await confirm.getByRole("button", { name: "Show the key now" }).click();
  const key = (await page.getByTestId("revealed-key").innerText()).trim();
  expect(reveals).toHaveLength(1);
  expect(key.length).toBeGreaterThan(10);

  // The key really is the channel's live key at the hub.
  const check = await page.request.get(`${SANDBOX}/v1/configs/templates?limit=1`, { headers: { "D360-API-KEY": key } });
  expect(check.status()).toBe(200);

  await page.reload();
  await expect(page.getByText("Already shown once")).toBeVisible();
  await expect(page.getByRole("button", { name: "Show key once" })).toHaveCount(0);
  expect(await page.content()).not.toContain(key);

  const state = await sandboxState(page.request);
  expect(state.apiKeys.filter((k) => k.channelId === channelId)).toHaveLength(1);
});

test("under hub faults (429 with Retry-After, duplicated and reordered deliveries) every number still ends running with one key", async ({ adminPage: page }) => {
  test.setTimeout(120_000);
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 0 } });
  await page.request.post(`${SANDBOX}/_sandbox/faults`, {
    data: { rateLimit: { every: 3, retryAfterSeconds: 1 }, duplicateDeliveries: 2, outOfOrderDeliveries: true },
  });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await page.request.post(`${SANDBOX}/_sandbox/onboard`, {
      data: { partnerId: "sandboxPA", email: `fault${i}@example.com`, name: `Fault ${i}`, phoneNumber: `+49160${Date.now().toString().slice(-6)}${i}` },
    });
    ids.push(...((await res.json()) as { channelIds: string[] }).channelIds);
  }

  await page.goto("/dashboard/channels");
  for (const id of ids) {
    const row = page.getByRole("row").filter({ hasText: id });
    await expect(row).toContainText("Running", { timeout: 60_000 });
    await expect(row).toContainText("Stored ••••", { timeout: 60_000 });
  }
  await page.request.post(`${SANDBOX}/_sandbox/faults`, { data: {} });

  const state = await sandboxState(page.request);
  for (const id of ids) expect(state.apiKeys.filter((k) => k.channelId === id), id).toHaveLength(1);

  // Duplicates were absorbed: the inbox shows deliveries counted on one stored row each.
  await page.goto(`/dashboard/webhooks?channel=${ids[0]}`);
  await expect(page.getByRole("row").filter({ hasText: "channel_running" }).first()).toBeVisible();
});

test("the webhooks inbox shows a delivery redacted and replays it without a second effect", async ({ adminPage: page }) => {
  await page.goto("/dashboard/webhooks?event=channel_running");
  await page.getByRole("row").nth(1).getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("channel_running");
  await expect(page.getByText("Payload (redacted)")).toBeVisible();
  const payload = await page.locator("pre").first().innerText();
  expect(payload).not.toMatch(/\+49\d{9,}/); // phone numbers are masked
  await page.getByRole("button", { name: "Replay" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Queued for processing again." })).toBeVisible();
});
