import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { registerSandboxWebhooks } from "./support/onboarding";
import { ADMIN } from "./support/portal";

// Template verdicts the way Meta gives them (docs/waba-webhook.md): the portal points each number's WABA webhook at
// itself once the key exists; the sandbox then tells verdicts ONLY there, in Meta's shape with the portal's secret
// in the URL and the header (one verdict with the header dropped). The channel page shows the WABA webhook as set; the template page shows the verdict, its reason and that
// it came from an event; message traffic reaching the WABA webhook is in the inbox.
const SANDBOX = "http://localhost:8082";

test.describe.configure({ mode: "serial" });

type SandboxDelivery = { kind: string; event: string; outcome: string; statusCode: number | null; url: string | null };

async function wabaDeliveries(request: APIRequestContext, event: string): Promise<SandboxDelivery[]> {
  const res = await request.get(`${SANDBOX}/_sandbox/deliveries?kind=waba&event=${event}`);
  return ((await res.json()) as { deliveries: SandboxDelivery[] }).deliveries;
}

async function submitTemplate(page: Page, channelId: string, name: string): Promise<string> {
  await page.goto(`/dashboard/templates/new?channel=${channelId}`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Body", { exact: true }).fill("Hi {{1}}, your order {{2}} has shipped and is on its way to you.");
  await page.getByLabel("Sample for {{1}}").fill("Lena");
  await page.getByLabel("Sample for {{2}}").fill("A-1042");
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  const state = (await (await page.request.get(`${SANDBOX}/_sandbox/state`)).json()) as { templates: { id: string; name: string }[] };
  const at = state.templates.find((t) => t.name === name);
  expect(at, `${name} at the sandbox`).toBeTruthy();
  return at!.id;
}

test("a verdict reaches the template page only through the WABA webhook the portal set, with its reason and source", async ({ adminPage: page }) => {
  test.setTimeout(150_000);
  await page.request.post(`${SANDBOX}/_sandbox/faults`, { data: {} });
  // No review timer: the verdicts below are given by hand, and no sync runs in between (the hub's template sync is
  // every 15 minutes), so what the page shows came by the WABA webhook.
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 200, templateReviewDelayMs: -1 } });
  await registerSandboxWebhooks(page);

  const phone = `+49155${Date.now().toString().slice(-7)}`;
  const onboard = await page.request.post(`${SANDBOX}/_sandbox/onboard`, { data: { partnerId: "sandboxPA", email: "waba@example.com", name: "Waba Hook GmbH", phoneNumber: phone } });
  expect(onboard.ok()).toBe(true);
  const external = ((await onboard.json()) as { channelIds: string[] }).channelIds[0]!;
  await page.goto("/dashboard/channels");
  const row = page.getByRole("row").filter({ hasText: external });
  await expect(row).toContainText("Stored ••••", { timeout: 45_000 });
  const channelId = (await row.getByRole("link", { name: phone }).getAttribute("href"))!.split("/").pop()!;

  // The channel page: the WABA webhook is set, to this portal.
  await page.goto(`/dashboard/channels/${channelId}`);
  const card = page.getByTestId("waba-webhook");
  await expect(async () => {
    await page.reload();
    await expect(card).toContainText("Set", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(card).toContainText("/api/webhooks/waba/");
  const sandboxState = (await (await page.request.get(`${SANDBOX}/_sandbox/state`)).json()) as { channels: { id: string; waba_webhook_url: string | null }[] };
  // The secret rides in the URL too (docs/waba-webhook.md §2.1); the page shows a placeholder, never the token.
  expect(sandboxState.channels.find((c) => c.id === external)?.waba_webhook_url).toMatch(/\/api\/webhooks\/waba\/[0-9a-f-]{36}\/[0-9a-f]{64}$/);
  await expect(card).toContainText("{secret}");

  // A rejection, given at the hub: it arrives as Meta's message_template_status_update and the page follows live.
  const rejectedName = `waba_verdict_${Date.now().toString().slice(-6)}`;
  const rejectedId = await submitTemplate(page, channelId, rejectedName);
  await expect(page.getByTestId("status-source")).toHaveText("Submitted from the portal");
  await page.request.post(`${SANDBOX}/_sandbox/templates/${rejectedId}/status`, { data: { status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" } });
  await expect(page.getByRole("alert").filter({ hasText: "Meta rejected this template: TAG_CONTENT_MISMATCH" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("status-source")).toHaveText("Event from Meta");
  const history = page.getByRole("list", { name: "Template history" });
  await expect(history).toContainText("Rejected");
  await expect(history).toContainText("Event from Meta");
  await expect(history).not.toContainText("Sync (read from 360dialog)");
  const delivered = await wabaDeliveries(page.request, "message_template_status_update");
  expect(delivered.some((d) => d.outcome === "delivered" && d.statusCode === 200 && d.url?.includes("/api/webhooks/waba/"))).toBe(true);

  // Meta approves it after all (an appeal); then an operator replays the old rejection from the inbox. It was
  // received before the approval now in force, so it changes nothing (docs/waba-webhook.md §3): the delivery says
  // why, and the template stays approved with no new history line.
  const templateUrl = page.url();
  const lines = page.getByTestId("template-history-line");
  await page.request.post(`${SANDBOX}/_sandbox/templates/${rejectedId}/status`, { data: { status: "approved" } });
  await expect(lines.first()).toContainText("Approved", { timeout: 30_000 });
  const linesBefore = await lines.count();
  await page.goto("/dashboard/webhooks?event=message_template_status_update");
  // Newest first: the approval, then the rejection.
  await page.goto((await page.getByRole("main").locator("tbody tr a[href^='/dashboard/webhooks/']").nth(1).getAttribute("href"))!);
  await expect(page.getByRole("main").locator("pre").first()).toContainText("TAG_CONTENT_MISMATCH");
  await page.getByRole("button", { name: "Replay" }).click();
  await expect(page.getByTestId("webhook-replayed")).toContainText(`by ${ADMIN.email}`);
  await expect(page.getByTestId("webhook-ignored-why")).toContainText(`${rejectedName} not changed: this delivery is older than its status approved`, { timeout: 30_000 });
  await page.goto(templateUrl);
  await expect(lines.first()).toContainText("Approved");
  await expect(lines).toHaveCount(linesBefore);
  await expect(lines.filter({ hasText: "replayed" })).toHaveCount(0);
  await expect(lines.filter({ hasText: "Event from Meta" })).toHaveCount(2);

  // An approval of a second template, from a hub that drops the custom header: the secret in the URL proves it.
  const approvedName = `waba_ok_${Date.now().toString().slice(-6)}`;
  const approvedId = await submitTemplate(page, channelId, approvedName);
  await page.request.post(`${SANDBOX}/_sandbox/faults`, { data: { dropCustomHeaders: true } });
  try {
    await page.request.post(`${SANDBOX}/_sandbox/templates/${approvedId}/status`, { data: { status: "approved" } });
    await expect(page.getByRole("list", { name: "Template history" })).toContainText("Approved", { timeout: 30_000 });
    await expect(page.getByTestId("status-source")).toHaveText("Event from Meta");
  } finally {
    await page.request.post(`${SANDBOX}/_sandbox/faults`, { data: {} });
  }

  // An admin rotates the hub's secret: every keyed number is set again with the new one.
  await page.goto("/dashboard/settings");
  await page.getByText("Set every number's WABA webhook again").first().click();
  await page.getByRole("button", { name: "Rotate the WABA webhook secret of Sandbox" }).click();
  await expect(page.getByRole("status").filter({ hasText: /New secret stored; \d+ number\(s\) get their WABA webhook set again/ })).toBeVisible();
  await page.goto(`/dashboard/channels/${channelId}`);
  await expect(page.getByTestId("waba-webhook")).toContainText("Set");

  // Message traffic on the WABA webhook (the number has no webhook of its own here) is stored in the inbox and
  // forwarded; with no messaging URL in Settings it waits there, saying why.
  const inbound = await page.request.post(`${SANDBOX}/_sandbox/channels/${external}/inbound`, { data: { text: "Is my order on its way?" } });
  expect(((await inbound.json()) as { via: string }).via).toBe("waba");
  await page.goto("/dashboard/webhooks");
  const messages = page.getByRole("row").filter({ hasText: "messages" }).first();
  await expect(messages).toContainText("WABA webhook (hub secret)", { timeout: 30_000 });
  await expect(messages).toContainText("no messaging URL is set", { timeout: 30_000 });
});
