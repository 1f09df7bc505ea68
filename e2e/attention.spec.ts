import { expect, test } from "./support/fixtures";

// The "Needs attention" page (docs/channel-lifecycle.md §4): the whole list the Overview's card shows the oldest of,
// filtered by reason and hub. Its rows and actions are exercised with real stuck numbers in e2e/number-life.spec.ts.

test("an Overview link of the time it paged the list goes on to the page; unusable filters say so and show everything", async ({ adminPage }) => {
  const unknownHub = "00000000-0000-4000-8000-000000000000";
  await adminPage.goto(`/dashboard?period=7d&stuck=not-a-cursor&hub=${unknownHub}`);
  await expect(adminPage).toHaveURL(`/dashboard/attention?stuck=not-a-cursor&hub=${unknownHub}`);
  await expect(adminPage.getByRole("heading", { name: "Needs attention", level: 1 })).toBeVisible();
  await expect(
    adminPage.getByRole("status").filter({ hasText: "That hub does not exist (any more). Showing all hubs. That page link is not valid (any more). Showing the first page." }),
  ).toBeVisible();
  await adminPage.goto("/dashboard/attention?rule=everything");
  await expect(adminPage.getByRole("status").filter({ hasText: "That is not one of the reasons below. Showing every reason." })).toBeVisible();
  await expect(adminPage.getByLabel("Reason")).toHaveValue("");
  // Reached from the menu too, marked as the page one is on.
  await adminPage.goto("/dashboard");
  await adminPage.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Needs attention" }).click();
  await expect(adminPage).toHaveURL("/dashboard/attention");
  await expect(adminPage.getByRole("navigation", { name: "Main" }).first().getByRole("link", { name: "Needs attention" })).toHaveAttribute("aria-current", "page");
});

test("the reason filter works without JavaScript, and the page fits a 390 px screen", async ({ newContext, adminState }) => {
  const page = await (await newContext({ storageState: adminState, javaScriptEnabled: false, viewport: { width: 390, height: 844 } })).newPage();
  await page.goto("/dashboard/attention");
  const reason = page.getByLabel("Reason");
  // Every reason is offered with its count, the total first.
  await expect(reason.locator("option")).toHaveText([
    /^Any reason \(\d+\)$/,
    /^Not running yet \(\d+\)$/,
    /^No API key \(\d+\)$/,
    /^No permission \(\d+\)$/,
    /^Stopped tasks \(\d+\)$/,
    /^Restricted \(\d+\)$/,
    /^Unknown status \(\d+\)$/,
    /^Key creation failing \(\d+\)$/,
  ]);
  await reason.selectOption("dead_job");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/\/dashboard\/attention\?rule=dead_job(&hub=)?$/);
  await expect(page.getByLabel("Reason")).toHaveValue("dead_job");
  const stopped = Number((await page.getByLabel("Reason").locator("option", { hasText: /^Stopped tasks/ }).innerText()).match(/\d+/)![0]);
  if (stopped === 0) await expect(page.getByText("Nothing for this filter")).toBeVisible();
  else await expect(page.getByTestId("stuck-paging")).toContainText(`shown of ${stopped} (stopped tasks), oldest first.`);
  await page.getByRole("link", { name: "Clear" }).click();
  await expect(page).toHaveURL("/dashboard/attention");
  // "Any reason" sent by the form (an empty value) is no filter, not a wrong one.
  await page.getByLabel("Reason").selectOption("");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/\/dashboard\/attention\?rule=(&hub=)?$/);
  await expect(page.getByRole("status").filter({ hasText: "Showing" })).toHaveCount(0);
  await expect(page.getByLabel("Reason")).toHaveValue("");
  await expect(page.getByRole("link", { name: "Clear" })).toHaveCount(0);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
});
