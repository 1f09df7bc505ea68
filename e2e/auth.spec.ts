import type { Page, Response } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import {
  ADMIN,
  MESSAGES,
  createUser,
  expectOverview,
  expectSignInRefused,
  pageAlert,
  postCredentials,
  signIn,
  submitSignIn,
  uniqueEmail,
} from "./support/portal";

const CALLBACK = "/api/auth/callback/credentials";

/** Submits the sign-in form and returns the credentials callback's response (one attempt, settled). */
async function attempt(page: Page, email: string, password: string): Promise<Response> {
  const response = page.waitForResponse((r) => r.url().endsWith(CALLBACK) && r.request().method() === "POST");
  await submitSignIn(page, email, password);
  return response;
}

test("a wrong password and an unknown email get the same generic message", async ({ page }) => {
  await signIn(page, ADMIN.email, "not-the-admin-password");
  await expectSignInRefused(page, MESSAGES.badCredentials);
  const wrongPassword = await pageAlert(page).innerText();

  await page.goto("/login");
  await submitSignIn(page, uniqueEmail("nobody"), "whatever-password-123");
  await expectSignInRefused(page, MESSAGES.badCredentials);
  expect(await pageAlert(page).innerText()).toBe(wrongPassword);
});

test("signing out ends the session; the dashboard then asks to sign in and returns to the page", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await expectOverview(page);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in to the partner portal" })).toBeVisible();

  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fdashboard$/);

  await page.goto("/dashboard/audit");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fdashboard%2Faudit$/);
  await submitSignIn(page, ADMIN.email, ADMIN.password);
  await expect(page).toHaveURL(/\/dashboard\/audit$/);
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
});

test("after 5 wrong passwords the 6th sign-in is refused, even with the right password", async ({ page, adminPage }) => {
  const email = uniqueEmail("locked");
  const password = await createUser(adminPage, { email, role: "viewer", method: "password" });

  await page.goto("/login");
  for (let i = 1; i <= 5; i++) {
    const response = await attempt(page, email, `wrong-password-${i}`);
    expect(response.status(), `attempt ${i}`).toBe(401);
    await expect(pageAlert(page)).toHaveText(MESSAGES.badCredentials);
  }
  const sixth = await attempt(page, email, password);
  expect(sixth.status()).toBe(429);
  await expect(pageAlert(page)).toContainText(MESSAGES.throttled);
  await expect(page).toHaveURL(/\/login$/);
});

test("the sign-in endpoint answers 401, then 429 with Retry-After; a spoofed X-Forwarded-For does not help", async ({ page, adminPage }) => {
  const email = uniqueEmail("api-locked");
  const password = await createUser(adminPage, { email, role: "viewer", method: "password" });
  const spoof = (n: number) => ({ "X-Forwarded-For": `203.0.113.${n}` });

  const first = await postCredentials(page.request, { email, password: "wrong-password-1" });
  expect(first.status()).toBe(401);
  expect(((await first.json()) as { url: string }).url).toContain("error=CredentialsSignin");

  for (let i = 2; i <= 5; i++) {
    const response = await postCredentials(page.request, { email, password: `wrong-password-${i}` }, spoof(i));
    expect(response.status(), `attempt ${i}`).toBe(401);
  }

  for (const headers of [{}, spoof(99), { "X-Forwarded-For": "198.51.100.7, 10.0.0.1" }]) {
    const refused = await postCredentials(page.request, { email, password }, headers);
    expect(refused.status(), JSON.stringify(headers)).toBe(429);
    const retryAfter = Number(refused.headers()["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(await refused.json()).toMatchObject({ error: "throttled" });
  }
  // The refused attempts set no session.
  const cookies = await page.context().cookies();
  expect(cookies.map((c) => c.name)).not.toContain("next-auth.session-token");

  // Another email from the same client is not locked.
  const other = await postCredentials(page.request, { email: uniqueEmail("fresh"), password: "wrong-password-1" }, spoof(5));
  expect(other.status()).toBe(401);
});
