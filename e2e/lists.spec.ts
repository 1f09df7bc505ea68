import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { expect, test } from "./support/fixtures";
import { registerSandboxWebhooks } from "./support/onboarding";
import { ADMIN } from "./support/portal";

// Lists as a partner's staff use them (docs/exports.md): a filtered list exported as CSV holds exactly its rows;
// one search box finds a number by digits typed any way; every list fits a 390 px phone; the template editor
// works before its script loads and Back never shows a submitted form again; a replayed webhook is marked.
const SANDBOX = "http://localhost:8082";

test.describe.configure({ mode: "serial" });

let number: { channelId: string; phone: string; external: string; client: string } | undefined;

/** One running number with its key, for the whole file (onboarding is the slow part). */
async function runningNumber(page: Page): Promise<NonNullable<typeof number>> {
  if (number) return number;
  await page.request.post(`${SANDBOX}/_sandbox/faults`, { data: {} });
  await page.request.post(`${SANDBOX}/_sandbox/config`, { data: { lifecycleDelayMs: 200, templateReviewDelayMs: 500 } });
  await registerSandboxWebhooks(page);
  const phone = `+49158${Date.now().toString().slice(-7)}`;
  const client = `Lists ${Date.now().toString(36)}`;
  const res = await page.request.post(`${SANDBOX}/_sandbox/onboard`, { data: { partnerId: "sandboxPA", email: "lists@example.com", name: client, phoneNumber: phone } });
  expect(res.ok()).toBe(true);
  const external = ((await res.json()) as { channelIds: string[] }).channelIds[0]!;
  await page.goto("/dashboard/channels");
  const row = page.getByRole("row").filter({ hasText: external });
  await expect(row).toContainText("Stored ••••", { timeout: 45_000 });
  const href = await row.getByRole("link", { name: phone }).getAttribute("href");
  number = { channelId: href!.split("/").pop()!, phone, external, client };
  return number;
}

async function downloadCsv(page: Page): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  return parse(await readFile((await download.path())!, "utf8"), { bom: true }) as string[][];
}

async function pageFits(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
}

test("a filtered list exports exactly its rows; the header search finds the number by digits typed any way", async ({ adminPage: page }) => {
  test.setTimeout(120_000);
  const { phone, external, channelId, client } = await runningNumber(page);

  // The channel list filtered by part of the number, then exported: the file's rows are the table's rows.
  const digits = phone.slice(-7);
  await page.goto(`/dashboard/channels?q=${digits}`);
  const shown = await page.getByRole("table", { name: "Channels" }).locator("tbody tr a[href^='/dashboard/channels/']").evaluateAll((links) => links.map((a) => a.getAttribute("href")!.split("/").pop()!));
  expect(shown).toEqual([channelId]);
  await expect(page.getByTestId("export-csv")).toHaveAttribute("href", `/api/exports/channels?q=${digits}`);
  const [header, ...rows] = await downloadCsv(page);
  expect(header?.slice(0, 3)).toEqual(["Channel ID", "Phone number", "360dialog channel ID"]);
  expect(rows.map((r) => r[0])).toEqual(shown);
  expect(rows[0]?.[1]).toBe(phone);
  expect(rows[0]?.[2]).toBe(external);

  // Unfiltered, the export holds at least every row of the first page, in the same order.
  await page.goto("/dashboard/clients");
  const clientIds = await page.locator("tbody tr a[href^='/dashboard/clients/']").evaluateAll((links) => links.map((a) => a.getAttribute("href")!.split("/").pop()!));
  const clientRows = (await downloadCsv(page)).slice(1);
  expect(clientRows.map((r) => r[0]).slice(0, clientIds.length)).toEqual(clientIds);

  // One search box in the header, a GET form: the number by its digits formatted as people write them.
  const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6)}`;
  await page.getByRole("searchbox", { name: "Search clients, numbers and templates" }).fill(spaced);
  await page.getByRole("searchbox", { name: "Search clients, numbers and templates" }).press("Enter");
  await expect(page).toHaveURL(/\/dashboard\/search\?q=/);
  await expect(page.getByTestId("search-channel").filter({ hasText: phone })).toBeVisible();
  await page.goto(`/dashboard/search?q=${encodeURIComponent(client.slice(0, 8))}`);
  await expect(page.getByTestId("search-client").filter({ hasText: client })).toBeVisible();
  await expect(page.getByRole("heading", { name: /^Templates \(/ })).toBeVisible();
});

test("every list fits a 390 px phone and a 1280 px screen without widening the page", async ({ adminPage: page }) => {
  test.setTimeout(90_000);
  await runningNumber(page);
  const lists = ["/dashboard/channels", "/dashboard/clients", "/dashboard/templates", "/dashboard/invites", "/dashboard/audit", "/dashboard/webhooks", "/dashboard/users", "/dashboard/search?q=4915"];
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    for (const path of lists) {
      await page.goto(path);
      // Polled: a live page may re-render once after load (its live refresh); a lasting overflow still fails.
      await expect.poll(async () => { const fit = await pageFits(page); return fit.scrollWidth - fit.innerWidth; }, { message: `${path} at ${width} px`, timeout: 5_000 }).toBeLessThanOrEqual(0);
    }
  }

  // At both widths (the last one above is 1280 px, then 390 px): refused custom dates on the Overview stay in their
  // fields, with the reason beside them; after a sync, its answer has a line of its own, so New template stays beside
  // the sync button, above the answer, inside the page.
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 844 });
    if (width === 1280) {
      await page.goto("/dashboard?period=custom&from=2026-10-31&to=2026-10-01");
    } else {
      // As a user does it: the period form (a GET form) filled in and sent.
      await page.goto("/dashboard");
      await page.getByLabel("Period", { exact: true }).selectOption("custom");
      await page.getByLabel("From (UTC)").fill("2026-10-31");
      await page.getByLabel("To (UTC, included)").fill("2026-10-01");
      await page.getByRole("button", { name: "Show" }).click();
      await expect(page).toHaveURL(/period=custom&from=2026-10-31&to=2026-10-01/);
    }
    await expect(page.getByLabel("From (UTC)")).toHaveValue("2026-10-31");
    await expect(page.getByLabel("To (UTC, included)")).toHaveValue("2026-10-01");
    await expect(page.getByLabel("From (UTC)")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("From (UTC)")).toHaveAccessibleDescription("The custom period ended before it started.");
    const reason = (await page.locator("#o-dates-error").boundingBox())!;
    expect(reason.x + reason.width, `${width} px: the reason inside the page`).toBeLessThanOrEqual(width);

    await page.goto("/dashboard/templates");
    await page.getByRole("button", { name: "Sync all now" }).click();
    const answer = page.getByRole("main").getByText(/Statuses update here as they arrive\./);
    await expect(answer).toBeVisible();
    const sync = (await page.getByRole("button", { name: "Sync all now" }).boundingBox())!;
    const create = (await page.getByRole("link", { name: "New template" }).boundingBox())!;
    const said = (await answer.boundingBox())!;
    expect(Math.abs(create.y - sync.y), `${width} px: New template beside the sync button`).toBeLessThan(4);
    expect(create.y + create.height, `${width} px: New template above the answer`).toBeLessThanOrEqual(said.y);
    expect(create.x + create.width, `${width} px: New template inside the page`).toBeLessThanOrEqual(width);
    expect(said.x, `${width} px: the answer inside the page`).toBeGreaterThanOrEqual(0);
    expect(said.x + said.width, `${width} px: the answer inside the page`).toBeLessThanOrEqual(width);
  }
});

test("the template editor submits before its script loads, shows the linter's findings per field, and Back shows no stale form", async ({ adminPage, newContext, adminState }) => {
  test.setTimeout(120_000);
  const { channelId } = await runningNumber(adminPage);

  // No JavaScript at all: the form posts to its server action.
  const noScript = await (await newContext({ storageState: adminState, javaScriptEnabled: false })).newPage();
  const name = `lists_nojs_${Date.now().toString().slice(-6)}`;
  await noScript.goto(`/dashboard/templates/new?channel=${channelId}`);
  await noScript.getByLabel("Name", { exact: true }).fill(name);
  await noScript.getByLabel("Body", { exact: true }).fill("Hi {{1}}, your parcel is on its way.");
  await noScript.getByRole("button", { name: "Submit for review" }).click();
  // Redirected to the stored draft, each finding at its field: the sample for {{1}} is missing.
  await expect(noScript).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}\/edit\?check=1$/);
  await expect(noScript.getByRole("alert")).toContainText("Nothing was sent");
  await expect(noScript.getByLabel("Sample for {{1}}")).toHaveAttribute("aria-invalid", "true");
  await expect(noScript.getByLabel("Body", { exact: true })).toHaveValue("Hi {{1}}, your parcel is on its way.");
  await noScript.getByLabel("Sample for {{1}}").fill("Lena");
  await noScript.getByRole("button", { name: "Submit for review" }).click();
  await expect(noScript.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(noScript).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}$/);
  // Back: the edit address now says the template is in review, with no form, old body or findings.
  await noScript.goBack();
  await expect(noScript.getByText("only drafts, rejected and paused templates can be changed")).toBeVisible();
  await expect(noScript.getByLabel("Body", { exact: true })).toHaveCount(0);

  // With JavaScript: an error first, then a fixed submit; Back returns to the list, not to the editor.
  const page = adminPage;
  const jsName = `lists_js_${Date.now().toString().slice(-6)}`;
  await page.goto("/dashboard/templates");
  await page.getByRole("link", { name: "New template" }).click();
  await expect(page).toHaveURL(/\/dashboard\/templates\/new$/);
  await page.getByLabel("Channel", { exact: true }).selectOption(channelId);
  await page.getByLabel("Name", { exact: true }).fill(jsName);
  await page.getByLabel("Body", { exact: true }).fill("Hi {{1}}, see you soon.");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page).toHaveURL(/\/dashboard\/templates\/[0-9a-f-]{36}\/edit$/);
  await page.getByLabel("Sample for {{1}}").fill("Lena");
  await page.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByRole("heading", { name: jsName, level: 1 })).toBeVisible();
  // Back never shows the old form and its findings. (Where it lands varies: the list, the edit address saying the
  // template is in review, or the template page itself when the submit left two entries for it.)
  await page.goBack();
  await expect(
    page
      .getByRole("heading", { name: "Templates", level: 1 })
      .or(page.getByText("only drafts, rejected and paused templates can be changed"))
      .or(page.getByRole("heading", { name: jsName, level: 1 })),
  ).toBeVisible();
  await expect(page.getByLabel("Body", { exact: true })).toHaveCount(0);
  await expect(page.getByLabel("Sample for {{1}}")).toHaveCount(0);
});

test("a replayed webhook's history line says it was replayed, when and by whom, on the channel and the client", async ({ adminPage: page }) => {
  test.setTimeout(90_000);
  const { external, channelId, phone, client } = await runningNumber(page);
  await page.goto(`/dashboard/channels/${channelId}`);
  const lines = page.getByTestId("history-line");
  const before = await lines.count();
  expect(before).toBeGreaterThan(0);
  await expect(lines.filter({ hasText: "replayed" })).toHaveCount(0);

  await page.goto(`/dashboard/webhooks?channel=${external}`);
  const oldest = page.locator("tbody tr a[href^='/dashboard/webhooks/']").last();
  await oldest.click();
  await page.getByRole("button", { name: "Replay" }).click();
  await expect(page.getByTestId("webhook-replayed")).toContainText(`by ${ADMIN.email}`);

  await expect(async () => {
    await page.goto(`/dashboard/channels/${channelId}`);
    await expect(page.getByTestId("history-line").filter({ hasText: `by ${ADMIN.email}` })).toHaveCount(1, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId("history-line").filter({ hasText: /replayed \d/ })).toHaveCount(1);

  // The client's timeline shows the same line, marked the same way.
  await page.goto(`/dashboard/channels?q=${phone.slice(-7)}`);
  await page.goto((await page.getByRole("table", { name: "Channels" }).getByRole("link", { name: client }).getAttribute("href"))!);
  await expect(page.getByTestId("history-line").filter({ hasText: `by ${ADMIN.email}` })).toHaveCount(1);
});
