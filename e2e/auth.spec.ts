import type { Page } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import {
  ADMIN,
  MESSAGES,
  changePassword,
  createUser,
  csrfTokenFor,
  expectOverview,
  expectSignInRefused,
  firstSignIn,
  newPassword,
  pageAlert,
  postCredentials,
  postRawCredentials,
  signIn,
  submitSignIn,
  uniqueEmail,
  userRow,
} from "./support/portal";

/** The status /api/live answers this page's session with (the event stream itself is cut off at once). */
function liveStatus(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const stop = new AbortController();
    const res = await fetch("/api/live", { signal: stop.signal });
    stop.abort();
    return res.status;
  });
}

/** Submits the sign-in form (a server action) and waits until the attempt has been answered. */
async function attempt(page: Page, email: string, password: string): Promise<void> {
  const answered = page.waitForResponse((r) => r.request().method() === "POST" && r.request().headers()["next-action"] !== undefined);
  await submitSignIn(page, email, password);
  await answered;
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
    await attempt(page, email, `wrong-password-${i}`);
    await expect(pageAlert(page), `attempt ${i}`).toHaveText(MESSAGES.badCredentials);
  }
  await attempt(page, email, password);
  await expect(pageAlert(page)).toContainText(MESSAGES.throttled);
  await expect(page).toHaveURL(/\/login$/);
  expect((await page.context().cookies()).map((c) => c.name)).not.toContain("next-auth.session-token");
  await adminPage.goto("/dashboard/users");
  await expect(userRow(adminPage, email).getByRole("cell").nth(2)).toHaveText("Never");
});

test("the sign-in endpoint answers 401, then 429 with Retry-After; a spoofed X-Forwarded-For does not help", async ({ page, adminPage, baseURL }) => {
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
    // The link points at the portal's public URL (NEXTAUTH_URL), not at the address the server is bound to.
    expect(await refused.json()).toMatchObject({ status: 429, code: "throttled:sign_in", url: `${baseURL}/login?error=throttled` });
  }
  // The refused attempts set no session.
  const cookies = await page.context().cookies();
  expect(cookies.map((c) => c.name)).not.toContain("next-auth.session-token");

  // Another email from the same client is not locked.
  const other = await postCredentials(page.request, { email: uniqueEmail("fresh"), password: "wrong-password-1" }, spoof(5));
  expect(other.status()).toBe(401);
});

test("a locked-out email stays locked when sent twice beside a decoy; other body shapes are refused too", async ({ page, adminPage }) => {
  const email = uniqueEmail("dup-locked");
  const password = await createUser(adminPage, { email, role: "viewer", method: "password" });
  const decoy = uniqueEmail("decoy");
  for (let i = 1; i <= 5; i++) expect((await postCredentials(page.request, { email, password: `wrong-password-${i}` })).status()).toBe(401);

  // The probe's bypass: the guard read the first email (a fresh decoy), next-auth the last (the victim).
  for (const [first, second] of [[decoy, email], [email, decoy]]) {
    const refused = await postRawCredentials(page.request, [["email", first!], ["email", second!], ["password", password]]);
    expect(refused.status(), `${first} then ${second}`).toBe(400);
    expect(await refused.json()).toMatchObject({ status: 400, code: "invalid:repeated_field" });
  }
  const json = await page.request.post("/api/auth/callback/credentials", { data: { email, password, json: "true" }, maxRedirects: 0 });
  expect(json.status()).toBe(415);
  expect((await postRawCredentials(page.request, [["email", email], ["password", password]])).status()).toBe(429);
  // A longer path that next-auth also reads as the credentials callback gets the same guard.
  const csrf = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const longer = await page.request.post("/api/auth/callback/credentials/extra", {
    form: { csrfToken: csrf.csrfToken, email, password, json: "true" },
    maxRedirects: 0,
  });
  expect(longer.status()).toBe(429);

  expect((await page.context().cookies()).map((c) => c.name)).not.toContain("next-auth.session-token");
  await adminPage.goto("/dashboard/users");
  await expect(userRow(adminPage, email).getByRole("cell").nth(2)).toHaveText("Never");
});

test("hostile callbackUrl values get a safe answer from every sign-in path, never a 500 (R13)", async ({ page, baseURL, adminPage }) => {
  const payloads = ["\\/evil.test", "%2F%2Fevil.test", "〱evil.test", "//evil.test", "/\\evil.test", "https:evil.test", "https://evil.test", "javascript:alert(1)"];
  const origin = new URL(baseURL!).origin;
  for (const callbackUrl of payloads) {
    const refused = await postCredentials(page.request, { email: uniqueEmail("cb"), password: "wrong-password-1" }, {}, { callbackUrl });
    expect(refused.status(), `sign-in POST, ${callbackUrl}`).toBe(401);
    expect(new URL(((await refused.json()) as { url: string }).url).origin).toBe(origin);

    const signin = await page.request.get(`/api/auth/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`, { maxRedirects: 0 });
    expect(signin.status(), `GET signin, ${callbackUrl}`).toBe(302);
    expect(new URL(signin.headers()["location"]!, baseURL).origin).toBe(origin);

    // In the query, next-auth itself refused it with a 500 on its other routes.
    const query = `callbackUrl=${encodeURIComponent(callbackUrl)}`;
    expect((await page.request.get(`/api/auth/session?${query}`)).status(), `GET session, ${callbackUrl}`).toBe(200);
    const inQuery = await page.request.post(`/api/auth/callback/credentials?${query}`, {
      form: { csrfToken: await csrfTokenFor(page.request), email: uniqueEmail("cbq"), password: "wrong-password-1", json: "true" },
      maxRedirects: 0,
    });
    expect(inQuery.status(), `sign-in POST with the query, ${callbackUrl}`).toBe(401);

    const login = await page.request.get(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    expect(login.status(), `login page, ${callbackUrl}`).toBe(200);
    expect(await login.text()).toContain('name="callbackUrl" value="/dashboard"');
  }
  // A successful sign-in with a hostile callbackUrl lands on the portal too.
  const email = uniqueEmail("cb-ok");
  const password = await createUser(adminPage, { email, role: "viewer", method: "password" });
  const ok = await postCredentials(page.request, { email, password }, {}, { callbackUrl: "\\/evil.test" });
  expect(ok.status()).toBe(200);
  expect(((await ok.json()) as { url: string }).url).toBe(`${origin}/dashboard`);
  expect((await page.request.get("/api/auth/callback/credentials", { maxRedirects: 0 })).status()).toBe(405);
});

test("without JavaScript, signing in, choosing a password and accepting an invite are POSTs: no URL ever holds a password", async ({
  adminPage,
  newContext,
}) => {
  const email = uniqueEmail("nojs");
  const oneTimePassword = await createUser(adminPage, { email, role: "viewer", method: "password" });
  const inviteEmail = uniqueEmail("nojs-invite");
  const inviteUrl = await createUser(adminPage, { email: inviteEmail, role: "viewer", method: "invite" });
  const chosen = newPassword();
  const invitedPassword = newPassword();

  const context = await newContext({ javaScriptEnabled: false });
  const urls: string[] = [];
  context.on("request", (r) => urls.push(r.url()));
  const page = await context.newPage();

  await signIn(page, email, "wrong-password-nojs");
  await expectSignInRefused(page, MESSAGES.badCredentials);
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await submitSignIn(page, email, oneTimePassword);
  await expect(page).toHaveURL(/\/change-password$/);
  await changePassword(page, oneTimePassword, chosen);

  const invitedContext = await newContext({ javaScriptEnabled: false });
  invitedContext.on("request", (r) => urls.push(r.url()));
  const invited = await invitedContext.newPage();
  await invited.goto(inviteUrl);
  await invited.getByLabel("Password", { exact: true }).fill(invitedPassword);
  await invited.getByLabel("Repeat the password", { exact: true }).fill(invitedPassword);
  await invited.getByRole("button", { name: "Set password and continue" }).click();
  await expect(invited).toHaveURL(/\/login\?created=1$/);
  await submitSignIn(invited, inviteEmail, invitedPassword);
  await expectOverview(invited);

  expect(urls.filter((u) => u.includes("/login")).length).toBeGreaterThan(0);
  for (const secret of [oneTimePassword, chosen, invitedPassword, "wrong-password-nojs"]) {
    const leaks = urls.filter((u) => u.includes(secret) || u.includes(encodeURIComponent(secret)));
    expect(leaks, `URLs holding ${secret}`).toEqual([]);
  }
});

test("a password change ends every other session of the user and keeps the current one", async ({ adminPage, newContext }) => {
  const email = uniqueEmail("pw-change");
  const oneTimePassword = await createUser(adminPage, { email, role: "viewer", method: "password" });
  const current = await (await newContext()).newPage();
  const first = await firstSignIn(current, email, oneTimePassword); // the first change keeps this browser signed in too
  const other = await (await newContext()).newPage();
  await signIn(other, email, first);
  await expectOverview(other);
  expect(await liveStatus(other)).toBe(200);

  await current.goto("/change-password");
  const second = newPassword();
  await changePassword(current, first, second);

  await other.goto("/dashboard/clients");
  await expect(other).toHaveURL(/\/login(\?|$)/);
  expect((await other.request.get("/api/live")).status()).toBe(401);

  await current.goto("/dashboard/clients");
  await expect(current.getByRole("heading", { name: "Clients", level: 1 })).toBeVisible();
  expect(await liveStatus(current)).toBe(200);

  await signIn(other, email, first);
  await expectSignInRefused(other, MESSAGES.badCredentials);
  await submitSignIn(other, email, second);
  await expectOverview(other);
});
