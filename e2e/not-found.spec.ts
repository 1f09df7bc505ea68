import { randomBytes, randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { MESSAGES, createUser, firstSignIn, mainNav, uniqueEmail } from "./support/portal";

// Dashboard 404 and 403 render inside the dashboard: the navigation stays and every link of the page leads back
// into the dashboard. An invite link nobody issued answers 404 with a message the client can act on.

/** Every link in the page's main area stays inside the dashboard. */
async function expectLinksInDashboard(page: Page): Promise<void> {
  const hrefs = await page.getByRole("main").getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
  expect(hrefs.length).toBeGreaterThan(0);
  for (const href of hrefs) expect(href, "a link of the error page").toMatch(/^\/dashboard(\/|$|\?)/);
}

async function openMenuIfNarrow(page: Page): Promise<void> {
  const menu = page.getByText("Partner portal · Menu");
  if (await menu.isVisible()) await menu.click();
}

for (const width of [1280, 390]) {
  test(`an unknown dashboard address answers 404 with the navigation kept (${width} px)`, async ({ adminPage: page }) => {
    await page.setViewportSize({ width, height: 900 });
    for (const path of ["/dashboard/no-such-page", `/dashboard/clients/${randomUUID()}`, "/dashboard/channels/deep/unknown/path"]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(page.getByRole("heading", { name: "This page does not exist", level: 1 })).toBeVisible();
      await openMenuIfNarrow(page);
      await expect(mainNav(page).getByRole("link", { name: "Overview" })).toBeVisible();
      await expectLinksInDashboard(page);
      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
    await page.getByRole("main").getByRole("link", { name: "Go to the overview" }).click();
    await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  });
}

test("a page above the user's role answers 403 with the navigation kept", async ({ adminPage, newContext }) => {
  const email = uniqueEmail("nf-viewer");
  const oneTimePassword = await createUser(adminPage, { email, role: "viewer", method: "password", name: "Nia Viewer" });
  const viewer = await (await newContext()).newPage();
  await firstSignIn(viewer, email, oneTimePassword);
  const response = await viewer.goto("/dashboard/users");
  expect(response?.status()).toBe(403);
  await expect(viewer.getByRole("heading", { name: MESSAGES.forbidden, level: 1 })).toBeVisible();
  await expect(mainNav(viewer).getByRole("link", { name: "Clients" })).toBeVisible();
  await expect(mainNav(viewer).getByRole("link", { name: "Users" })).toHaveCount(0);
  await expectLinksInDashboard(viewer);
});

test("without a session an unknown dashboard address goes to sign-in, not to a 404 that would confirm it", async ({ newContext }) => {
  const page = await (await newContext()).newPage();
  await page.goto("/dashboard/no-such-page");
  await expect(page).toHaveURL(/\/login/);
});

test("an invite link nobody issued answers 404 with what to do, in the client's language", async ({ newContext }) => {
  const token = randomBytes(32).toString("base64url");
  const page = await (await newContext({ locale: "en-GB" })).newPage();
  const response = await page.goto(`/join/${token}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This invite link does not work", level: 1 })).toBeVisible();
  await expect(page.getByRole("main").getByRole("alert")).toContainText("We do not know this link. Check that you copied all of it, or ask your provider for a new one.");
  // The dashboard's 404 words are not the client's.
  await expect(page.getByText("This page does not exist")).toHaveCount(0);

  const german = await (await newContext({ locale: "de-DE" })).newPage();
  expect((await german.goto("/join/not-even-a-token"))?.status()).toBe(404);
  await expect(german.getByRole("heading", { name: "Dieser Einladungslink funktioniert nicht", level: 1 })).toBeVisible();
});
