import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { registerSandboxWebhooks } from "./support/onboarding";

// Templates against the sandbox hub: lint findings named as you type, submit through the number's key, Meta's
// verdicts (the sandbox approves, or rejects names holding "reject") followed live, edit and resubmit.
const SANDBOX = "http://localhost:8082";

test.describe.configure({ mode: "serial" });

/** Onboards a number at the sandbox and waits until the portal shows it running with its key; returns its portal id. */
async function runningNumber(page: Page, name: string): Promise<{ channelId: string; phone: string }> {
  const phone = `+49152${Date.now().toString().slice(-7)}`;
  const res = await page.request.post(`${SANDBOX}/_sandbox/onboard`, { data: { partnerId: "sandboxPA", email: `${name}@example.com`, name, phoneNumber: phone } });
  expect(res.ok()).toBe(true);
  const external = ((await res.json()) as { channelIds: string[] }).channelIds[0]!;
  await page.goto("/dashboard/channels");
  const row = page.getByRole("row").filter({ hasText: external });
  await expect(row).toContainText("Stored ••••", { timeout: 45_000 });
  const href = await row.getByRole("link", { name: phone }).getAttribute("href");
  return { channelId: href!.split("/").pop()!, phone };
}

async function sandboxTemplates(request: APIRequestContext): Promise<{ id: string; name: string; status: string }[]> {
  return ((await (await request.get(`${SANDBOX}/_sandbox/state`)).json()) as { templates: { id: string; name: string; status: string }[] }).templates;
}

async function fillClean(page: Page, name: string, body = "Hi {{1}}, your order {{2}} has shipped and is on its way to you.") {
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Body", { exact: true }).fill(body);
  await page.getByLabel("Sample for {{1}}").fill("Lena");
  await page.getByLabel("Sample for {{2}}").fill("A-1042");
}

test("a template with lint errors names each one; fixed, it is submitted and Meta's verdicts follow live", async ({ adminPage: page }) => {
  test.setTimeout(150_000);
  await page.request.post(`${SANDBOX}/_sandbox/faults`, { data: {} });
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 200, templateReviewDelayMs: 4_000 } });
  await registerSandboxWebhooks(page);
  const { channelId, phone } = await runningNumber(page, "templates");
  // Other specs may have left templates at the sandbox; nothing of this one may reach it.
  const heldBefore = (await sandboxTemplates(page.request)).length;

  await page.goto(`/dashboard/templates/new?channel=${channelId}`);
  await expect(page.getByLabel("Channel", { exact: true })).toContainText(phone);
  await page.getByLabel("Name", { exact: true }).fill("Order Update!");
  await page.getByLabel("Body", { exact: true }).fill("{{1}} your order {{3}}");
  // Each finding is named with its field's words and its rule.
  await expect(page.getByText("name-charset").first()).toBeVisible();
  await expect(page.getByText("variables-sequential").first()).toBeVisible();
  await expect(page.getByText("variable-at-start").first()).toBeVisible();
  await expect(page.getByText("variable-at-end").first()).toBeVisible();
  await expect(page.getByText("example-missing").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Submit for review" })).toBeDisabled();
  expect(await sandboxTemplates(page.request)).toHaveLength(heldBefore);

  // A draft with errors can still be kept.
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByText(/Draft saved/)).toBeVisible();
  await expect(page).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}\/edit$/);

  const goodName = `order_update_${Date.now().toString().slice(-6)}`;
  await fillClean(page, goodName);
  await expect(page.getByText("variables-sequential")).toHaveCount(0);
  await expect(page.getByText("Lena").first()).toBeVisible(); // the preview shows the sample in place of {{1}}
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: goodName })).toBeVisible();
  await expect(page.getByText("Submitted from the portal").first()).toBeVisible();

  // A second one whose name the sandbox rejects.
  const badName = `promo_reject_${Date.now().toString().slice(-6)}`;
  await page.goto(`/dashboard/templates/new?channel=${channelId}`);
  await fillClean(page, badName);
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByRole("heading", { name: badName })).toBeVisible();

  // The list follows both verdicts without a reload (sync job or status webhook, whichever comes first).
  await page.goto("/dashboard/templates");
  await expect(page.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  const good = page.getByRole("row").filter({ hasText: goodName });
  const bad = page.getByRole("row").filter({ hasText: badName });
  await expect(good).toContainText("Approved", { timeout: 30_000 });
  await expect(bad).toContainText("Rejected", { timeout: 30_000 });
  await expect(bad).toContainText("INVALID_FORMAT");

  // History of the rejected one, then edit and resubmit with the reason beside the form.
  await bad.getByRole("link", { name: badName }).click();
  const history = page.getByRole("list", { name: "Template history" });
  await expect(history).toContainText("Rejected");
  await expect(history).toContainText("Submitted");
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { templateReviewDelayMs: -1 } });
  await page.getByRole("link", { name: "Edit and resubmit" }).click();
  // On the edit page itself (the detail page also names the reason, so wait for the form's heading first).
  await expect(page.getByRole("heading", { name: `Edit ${badName}` })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Meta rejected this template: invalid format" })).toBeVisible();
  await page.getByLabel("Body", { exact: true }).fill("Hello {{1}}, order {{2}} is ready for pickup at our store today.");
  await page.getByRole("button", { name: "Resubmit for review" }).click();
  await expect(page).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}$/);
  await expect(page.getByText("In review").first()).toBeVisible();

  // Edited in place (docs/templates-meta.md §2): the sandbox holds one copy, back in review; approving it there
  // shows up live here.
  const copies = (await sandboxTemplates(page.request)).filter((t) => t.name === badName);
  expect(copies).toHaveLength(1);
  expect(copies[0]!.status).toBe("pending");
  await page.request.post(`${SANDBOX}/_sandbox/templates/${copies[0]!.id}/status`, { data: { status: "approved" } });
  // Page and history follow without a reload: the approval joins the rejection in the history.
  await expect(history).toContainText("Approved", { timeout: 30_000 });
  await expect(history).toContainText("Rejected");
});

test("a number from elsewhere is added with its key, checked with 360dialog, and gets templates like any other", async ({ adminPage: page }) => {
  test.setTimeout(90_000);
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 0, templateReviewDelayMs: 1_000 } });
  // A partner the portal does not know: its numbers never reach the portal's webhooks.
  await page.request.post(`${SANDBOX}/_sandbox/partners`, { data: { id: "elsewherePA", apiKey: "elsewhere-partner-key", platformSecret: "elsewhere-platform-secret" } });
  const phone = `+49153${Date.now().toString().slice(-7)}`;
  const onboard = await page.request.post(`${SANDBOX}/_sandbox/onboard`, { data: { partnerId: "elsewherePA", email: "far@example.com", name: "Far Away", phoneNumber: phone } });
  const external = ((await onboard.json()) as { channelIds: string[] }).channelIds[0]!;
  let apiKey = "";
  await expect(async () => {
    const res = await page.request.post(`${SANDBOX}/api/v2/partners/elsewherePA/channels/${external}/api_keys`, { headers: { "X-API-Key": "elsewhere-partner-key" } });
    expect(res.ok()).toBe(true);
    apiKey = ((await res.json()) as { api_key: string }).api_key;
  }).toPass({ timeout: 20_000 });

  await page.goto("/dashboard/channels/manual");
  await page.getByLabel("Phone number").fill(phone);
  await page.getByLabel("API key").fill("not-a-real-key-1234");
  await page.getByRole("button", { name: "Check the key and add the number" }).click();
  await expect(page.getByText("360dialog refused this API key; nothing was stored.")).toBeVisible();

  await page.getByLabel("Phone number").fill(phone);
  await page.getByLabel("API key").fill(apiKey);
  await page.getByLabel("Client name (optional)").fill("Far Away GmbH");
  await page.getByRole("button", { name: "Check the key and add the number" }).click();
  await expect(page.getByText(/Number added/)).toBeVisible();
  expect(await page.content()).not.toContain(apiKey);

  await page.getByRole("link", { name: "Write a template for it" }).click();
  const name = `welcome_${Date.now().toString().slice(-6)}`;
  await fillClean(page, name);
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  // No webhook tells the portal about this partner's numbers: "Sync now" reads the verdict from the hub.
  await expect(async () => {
    await page.getByRole("button", { name: "Sync now" }).click();
    await expect(page.getByText("Approved").first()).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
  // It went to the right number at the hub.
  const at = (await sandboxTemplates(page.request)).find((t) => t.name === name);
  expect(at?.status).toBe("approved");
});
