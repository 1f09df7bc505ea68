import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { registerSandboxWebhooks } from "./support/onboarding";

// Resubmitting the way Meta allows and templates as Meta defines them (docs/templates-meta.md §2, §3), against
// the sandbox hub: a rejected template edited in place under its name; where the hub cannot edit, a new name
// proposed and the old version gone from the lists for good, "Sync now" included; named variables end to end.
// Verdicts are read with "Sync now" (not a webhook), the safety net every partner has.
const SANDBOX = "http://localhost:8082";

test.describe.configure({ mode: "serial" });

type Held = { id: string; name: string; status: string; parameter_format?: string; components: unknown[] };

async function sandboxTemplates(request: APIRequestContext): Promise<Held[]> {
  return ((await (await request.get(`${SANDBOX}/_sandbox/state`)).json()) as { templates: Held[] }).templates;
}

async function runningNumber(page: Page, name: string): Promise<{ channelId: string; phone: string; external: string }> {
  const phone = `+49157${Date.now().toString().slice(-7)}`;
  const res = await page.request.post(`${SANDBOX}/_sandbox/onboard`, { data: { partnerId: "sandboxPA", email: `${name}@example.com`, name, phoneNumber: phone } });
  expect(res.ok()).toBe(true);
  const external = ((await res.json()) as { channelIds: string[] }).channelIds[0]!;
  await page.goto("/dashboard/channels");
  const row = page.getByRole("row").filter({ hasText: external });
  await expect(row).toContainText("Stored ••••", { timeout: 45_000 });
  const href = await row.getByRole("link", { name: phone }).getAttribute("href");
  return { channelId: href!.split("/").pop()!, phone, external };
}

/** Creates a template the sandbox rejects (its name holds "reject") and waits, with "Sync now", for the verdict. */
async function rejectedTemplate(page: Page, channelId: string, name: string): Promise<void> {
  await page.goto(`/dashboard/templates/new?channel=${channelId}`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Body", { exact: true }).fill("Hi {{1}}, your order {{2}} has shipped and is on its way to you.");
  await page.getByLabel("Sample for {{1}}").fill("Lena");
  await page.getByLabel("Sample for {{2}}").fill("A-1042");
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(async () => {
    await page.getByRole("button", { name: "Sync now" }).click();
    await expect(page.getByRole("link", { name: "Edit and resubmit" })).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 30_000 });
}

let channelId = "";
let external = "";

test("a rejected template is edited in place: same name, same template at 360dialog, back in review", async ({ adminPage: page }) => {
  test.setTimeout(150_000);
  await page.request.post(`${SANDBOX}/_sandbox/faults`, { data: {} });
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 200, templateReviewDelayMs: 500, templateEditing: true } });
  await registerSandboxWebhooks(page);
  ({ channelId, external } = await runningNumber(page, "resubmit"));

  const name = `notice_reject_${Date.now().toString().slice(-6)}`;
  await rejectedTemplate(page, channelId, name);
  const before = (await sandboxTemplates(page.request)).filter((t) => t.name === name);
  expect(before.map((t) => t.status)).toEqual(["rejected"]);

  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { templateReviewDelayMs: -1 } });
  await page.getByRole("link", { name: "Edit and resubmit" }).click();
  await expect(page.getByRole("heading", { name: `Edit ${name}` })).toBeVisible();
  await page.getByLabel("Body", { exact: true }).fill("Hello {{1}}, order {{2}} is ready for pickup at our store today.");
  await page.getByRole("button", { name: "Resubmit for review" }).click();
  await expect(page).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name })).toBeVisible();
  await expect(page.getByText("In review").first()).toBeVisible();

  const after = (await sandboxTemplates(page.request)).filter((t) => t.name === name);
  expect(after.map((t) => [t.id, t.status])).toEqual([[before[0]!.id, "pending"]]);
  await expect(page.getByRole("list", { name: "Template history" })).toContainText("Edited in place and sent to Meta for review again.");
});

test("where the hub cannot edit in place, a new name is proposed; the old version never comes back", async ({ adminPage: page }) => {
  test.setTimeout(150_000);
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 200, templateReviewDelayMs: 500, templateEditing: true } });
  if (channelId === "") {
    await registerSandboxWebhooks(page);
    channelId = (await runningNumber(page, "resubmit2")).channelId;
  }
  const name = `promo_reject_${Date.now().toString().slice(-6)}`;
  await rejectedTemplate(page, channelId, name);
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { templateReviewDelayMs: -1, templateEditing: false } });
  try {
    await page.getByRole("link", { name: "Edit and resubmit" }).click();
    await expect(page.getByRole("heading", { name: `Edit ${name}` })).toBeVisible();
    await page.getByLabel("Body", { exact: true }).fill("Hello {{1}}, order {{2}} is ready for pickup at our store today.");
    await page.getByRole("button", { name: "Resubmit for review" }).click();
    const proposed = `${name}_v2`;
    await expect(page.getByText(`Resubmit it under a new name: ${proposed}`)).toBeVisible();
    // Nothing was deleted or created at 360dialog.
    expect((await sandboxTemplates(page.request)).filter((t) => t.name.startsWith(name)).map((t) => [t.name, t.status])).toEqual([[name, "rejected"]]);

    await page.getByRole("button", { name: `Use the name ${proposed}` }).click();
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue(proposed);
    await page.getByRole("button", { name: "Resubmit for review" }).click();
    await expect(page.getByRole("heading", { name: proposed })).toBeVisible();
    await expect(page.getByText(`This template replaces ${name}`)).toBeVisible();
    const history = page.getByRole("list", { name: "Template history" });
    await expect(history).toContainText("Rejected"); // the old version's verdict, in the one history
    await expect(history).toContainText(`Resubmitted as ${proposed}`);

    // "Sync now": 360dialog still lists the rejected old version; it stays out of the list and the Overview.
    await page.getByRole("button", { name: "Sync now" }).click();
    const lastRead = page.locator("dt", { hasText: "Last read from 360dialog" }).locator("xpath=following-sibling::dd[1]");
    await expect(async () => {
      await page.reload();
      await expect(lastRead).not.toHaveText("never", { timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await page.goto(`/dashboard/templates?channel=${channelId}`);
    await expect(page.getByRole("row").filter({ hasText: proposed })).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: new RegExp(`${name}(?!_v2)`) })).toHaveCount(0);
    await page.goto("/dashboard");
    await expect(page.getByRole("list", { name: "Recently rejected templates" }).getByText(name, { exact: true })).toHaveCount(0);
    const held = (await sandboxTemplates(page.request)).filter((t) => t.name.startsWith(name)).map((t) => [t.name, t.status]).sort();
    expect(held).toEqual([[name, "rejected"], [proposed, "submitted"]]);
  } finally {
    await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { templateEditing: true } });
  }
});

test("a template with named variables is written, previewed and submitted as Meta's NAMED format", async ({ adminPage: page }) => {
  test.setTimeout(120_000);
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 200, templateReviewDelayMs: -1 } });
  if (channelId === "") {
    await registerSandboxWebhooks(page);
    channelId = (await runningNumber(page, "named")).channelId;
  }
  const name = `named_vars_${Date.now().toString().slice(-6)}`;
  await page.goto(`/dashboard/templates/new?channel=${channelId}`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Body", { exact: true }).fill("Hello {{customer_name}}, your order {{order_id}} has shipped and is on its way.");
  await page.getByLabel("Sample for {{customer_name}}").fill("Lena");
  await page.getByLabel("Sample for {{order_id}}").fill("A-1042");
  const preview = page.getByRole("complementary", { name: "Preview" });
  await expect(preview).toContainText("Hello Lena, your order A-1042 has shipped");
  // Mixing numbers and names is refused before anything is sent.
  await page.getByLabel("Body", { exact: true }).fill("Hello {{customer_name}}, your order {{1}} has shipped and is on its way.");
  await expect(page.getByText("variables-mixed").first()).toBeVisible();
  await page.getByLabel("Body", { exact: true }).fill("Hello {{customer_name}}, your order {{order_id}} has shipped and is on its way.");
  await expect(page.getByText("variables-mixed")).toHaveCount(0);
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();

  const held = (await sandboxTemplates(page.request)).find((t) => t.name === name)!;
  expect(held.parameter_format).toBe("NAMED");
  expect(held.components).toEqual([
    {
      type: "BODY",
      text: "Hello {{customer_name}}, your order {{order_id}} has shipped and is on its way.",
      example: { body_text_named_params: [{ param_name: "customer_name", example: "Lena" }, { param_name: "order_id", example: "A-1042" }] },
    },
  ]);
  // Read back after a sync: the preview on the template page still shows the samples.
  await page.getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByText("Hello Lena, your order A-1042 has shipped").first()).toBeVisible();
});

test("a template made elsewhere with a Flow button is read back whole; resubmitted, the button goes back unchanged", async ({ adminPage: page }) => {
  test.setTimeout(120_000);
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 200, templateReviewDelayMs: -1, templateEditing: true } });
  if (channelId === "") {
    await registerSandboxWebhooks(page);
    ({ channelId, external } = await runningNumber(page, "flow"));
  }
  const name = `signup_flow_${Date.now().toString().slice(-6)}`;
  const flow = { type: "FLOW", text: "Sign up", flow_id: "1234567890", navigate_screen: "WELCOME_SCREEN", flow_action: "navigate" };
  const made = await page.request.post(`${SANDBOX}/_sandbox/channels/${external}/templates`, {
    data: {
      name,
      language: "en",
      category: "MARKETING",
      components: [{ type: "BODY", text: "Sign up for our newsletter and get early access to new products." }, { type: "BUTTONS", buttons: [flow] }],
    },
  });
  expect(made.status()).toBe(201);
  const { id } = (await made.json()) as { id: string };
  await page.request.post(`${SANDBOX}/_sandbox/templates/${id}/status`, { data: { status: "rejected", rejectedReason: "INVALID_FORMAT" } });

  await page.goto(`/dashboard/templates?channel=${channelId}`);
  await expect(async () => {
    await page.getByRole("button", { name: "Sync this number now" }).click();
    await page.reload();
    await expect(page.getByRole("row").filter({ hasText: name })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await page.getByRole("row").filter({ hasText: name }).getByRole("link", { name }).click();
  await expect(page.getByText("(FLOW button) are shown read-only")).toBeVisible();
  await expect(page.getByText("Sign up", { exact: true }).first()).toBeVisible(); // the button, in the preview

  await page.getByRole("link", { name: "Edit and resubmit" }).click();
  await expect(page.getByRole("heading", { name: `Edit ${name}` })).toBeVisible();
  await expect(page.getByTestId("kept-button")).toContainText("FLOW");
  await expect(page.getByTestId("kept-button")).toContainText("read-only; kept unchanged when you submit");
  await page.getByLabel("Body", { exact: true }).fill("Sign up to our newsletter for early access to new products.");
  await page.getByRole("button", { name: "Submit for review" }).or(page.getByRole("button", { name: "Resubmit for review" })).click();
  await expect(page).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}$/);
  await expect(page.getByText("In review").first()).toBeVisible();

  const held = (await sandboxTemplates(page.request)).find((t) => t.name === name)!;
  expect(held.status).toBe("pending");
  expect(held.components).toEqual([
    { type: "BODY", text: "Sign up to our newsletter for early access to new products." },
    { type: "BUTTONS", buttons: [flow] },
  ]);
});
