import { generate } from "otplib";
import type { BrowserContext, Page } from "@playwright/test";
import { test, expect } from "./support/fixtures";
import { sentMails, waitForMail } from "./support/mail";
import { createUser, expectOverview, firstSignIn, newPassword, pageAlert, signIn, uniqueEmail, userRow } from "./support/portal";

// Staff account security (docs/accounts.md): TOTP with recovery codes, passkeys through Chromium's virtual
// authenticator, sessions that can be ended, the two-factor policy, forgot password through the real SMTP server of
// e2e/global-setup.ts. Every user here is this file's own: the first admin's shared session is never ended, and the
// policy is set by this file's own admin (who has a second factor) and put back to "off" at the end.
test.describe.configure({ mode: "serial" });

type Account = { email: string; password: string; secret?: string; recoveryCodes?: string[] };
const totpAdmin: Account = { email: uniqueEmail("totp-admin"), password: "" };
const NEW_SIGN_IN = "New sign-in to your partner portal account";
/** Another browser on another system, as the new-browser mail names it ("Firefox 128 on macOS"). */
const FIREFOX_UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0";

/** A code of the authenticator app for a time step that has not been used yet (the enrolment spent the current one). */
async function nextCode(secret: string): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
}

async function signInWithCode(page: Page, account: Account, code: string): Promise<void> {
  await signIn(page, account.email, account.password);
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await expect(page.getByRole("heading", { name: "Two-factor sign-in" })).toBeVisible();
  await page.getByLabel("Authentication code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

async function enrolTotp(page: Page): Promise<{ secret: string; recoveryCodes: string[] }> {
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = (await page.getByTestId("totp-secret").innerText()).trim();
  await expect(page.getByRole("img", { name: "QR code for the authenticator app" })).toBeVisible();
  await page.getByLabel("Code from the app", { exact: true }).fill("000000");
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  await expect(pageAlert(page)).toContainText("That code is not correct.");
  await page.getByLabel("Code from the app", { exact: true }).fill(await generate({ secret }));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();
  const list = page.getByRole("list", { name: "Recovery codes" });
  await expect(list.getByRole("listitem")).toHaveCount(10);
  return { secret, recoveryCodes: (await list.getByRole("listitem").allInnerTexts()).map((c) => c.trim()) };
}

async function withVirtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
}

test("TOTP: enrol with a code, sign in with the next code, a recovery code works once; ending sessions signs them out", async ({ adminPage, newContext }) => {
  // Four browsers sign in (an argon2 check each) on a shared 2-core machine: more than the default 30 s under load.
  test.setTimeout(60_000);
  const oneTime = await createUser(adminPage, { email: totpAdmin.email, role: "admin", method: "password" });
  const first = await (await newContext()).newPage();
  totpAdmin.password = await firstSignIn(first, totpAdmin.email, oneTime);
  await first.goto("/dashboard/account");
  Object.assign(totpAdmin, await enrolTotp(first));
  await first.reload();
  await expect(first.getByText("10 of 10 recovery codes left.")).toBeVisible();

  // A second browser: the password alone does not sign in; the next code does.
  const second = await (await newContext()).newPage();
  await signInWithCode(second, totpAdmin, "123456");
  await expect(pageAlert(second)).toContainText("That code is not correct.");
  await second.getByLabel("Authentication code", { exact: true }).fill(await nextCode(totpAdmin.secret!));
  await second.getByRole("button", { name: "Verify" }).click();
  await expectOverview(second);

  // A third browser with a recovery code; the same code in a fourth is refused.
  const recovery = totpAdmin.recoveryCodes![0]!;
  const third = await (await newContext()).newPage();
  await signInWithCode(third, totpAdmin, recovery);
  await expectOverview(third);
  const fourth = await (await newContext()).newPage();
  await signInWithCode(fourth, totpAdmin, recovery);
  await expect(pageAlert(fourth)).toContainText("That code is not correct.");
  await expect(fourth).toHaveURL(/\/login\/second-factor/);

  // The first browser lists the others and ends one: that one is signed out on its next request.
  await first.goto("/dashboard/account");
  const sessions = first.getByRole("table", { name: "Your sessions" });
  await expect(sessions.getByRole("row")).toHaveCount(4); // header + three sessions
  await expect(first.getByTestId("session-current")).toContainText("This browser");
  await first.getByRole("button", { name: /^End session / }).first().click();
  await expect(sessions.getByRole("row")).toHaveCount(3);
  await first.getByRole("button", { name: "End all other sessions" }).click();
  await expect(sessions.getByRole("row")).toHaveCount(2);
  await expect(first.getByTestId("session-current")).toBeVisible();
  for (const kicked of [second, third]) {
    await kicked.goto("/dashboard/clients");
    await expect(kicked).toHaveURL(/\/login/);
  }
  await first.goto("/dashboard/clients");
  await expect(first.getByRole("heading", { name: "Clients", level: 1 })).toBeVisible();
});

test("a passkey registered with the virtual authenticator signs in without a password and is the second step after one; a new browser is told by mail; an admin's two-factor reset", async ({ adminPage, newContext, baseURL }) => {
  // Five sign-ins (an argon2 check each) and an admin's actions on a shared 2-core machine.
  test.setTimeout(60_000);
  const email = uniqueEmail("passkey");
  const oneTime = await createUser(adminPage, { email, role: "viewer", method: "password" });
  const context = await newContext();
  const page = await context.newPage();
  await withVirtualAuthenticator(context, page);
  const password = await firstSignIn(page, email, oneTime);
  await page.goto("/dashboard/account");
  await page.getByLabel("Passkey name", { exact: true }).fill("Virtual key");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expect(page.getByTestId("passkey-Virtual key")).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expectOverview(page);

  // With a passkey the password alone is not enough: the second step offers the passkey.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page, email, password);
  await expect(page).toHaveURL(/\/login\/second-factor/);
  await page.getByRole("button", { name: "Use a passkey" }).click();
  await expectOverview(page);
  await page.goto("/dashboard/account");
  await expect(page.getByTestId("passkey-Virtual key")).not.toContainText("Never");

  // The admin ends all of this user's sessions (a lost laptop): the next request is refused.
  await adminPage.goto("/dashboard/users");
  const row = userRow(adminPage, email);
  await row.getByRole("button", { name: `End all sessions of ${email}` }).click();
  await expect(row.getByRole("status")).toHaveText(/sessions? ended/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login/);

  // The device with the passkey is lost for good: the admin resets the user's two-factor (asked first). The user
  // signs in on a new device with the password alone (no policy covers them here); the audit log has the reset.
  await expect(row).toContainText("Two-factor: 1 passkey");
  await row.getByLabel(`Reset two-factor of ${email}`, { exact: true }).click();
  await row.getByRole("button", { name: `Yes, reset two-factor of ${email}` }).click();
  await expect(row.getByRole("status")).toHaveText("Second factors removed and sessions ended.");
  await expect(row).toContainText("No second factor");
  const newDevice = await (await newContext({ userAgent: FIREFOX_UA })).newPage();
  await signIn(newDevice, email, password);
  await expectOverview(newDevice);
  await adminPage.goto("/dashboard/audit?action=two_factor.reset_by_admin");
  await expect(adminPage.getByRole("main").getByRole("row").filter({ hasText: email })).toHaveCount(1);

  // One mail per browser the account never used (the first sign-in's, the new device's), none for the sign-ins from
  // the browser it knew; each says which browser, from where, and where to act.
  const notice = await waitForMail((m) => m.to.includes(email) && m.subject === NEW_SIGN_IN && m.text.includes("Browser: Firefox 128 on macOS"));
  expect(notice.text).toMatch(/IP address: \S+/);
  expect(notice.text).toContain(`${baseURL}/dashboard/account`);
  const notices = sentMails().filter((m) => m.to.includes(email) && m.subject === NEW_SIGN_IN);
  expect(notices.map((m) => /Browser: (.*)/.exec(m.text)?.[1])).toEqual([expect.stringMatching(/^Chrome \d+/), "Firefox 128 on macOS"]);
});

test("the two-factor policy sends a user without a second factor to enrolment, and nowhere else until done, also after an admin reset their two-factor", async ({ adminPage, newContext }) => {
  test.setTimeout(60_000);
  const email = uniqueEmail("policy");
  const oneTime = await createUser(adminPage, { email, role: "viewer", method: "password" });
  const admin = await (await newContext()).newPage();
  const policy = async (label: string) => {
    await admin.goto("/dashboard/users");
    await admin.getByRole("radio", { name: label }).check();
    await admin.getByRole("button", { name: "Save policy" }).click();
    await expect(admin.getByRole("status").filter({ hasText: "Two-factor policy saved." })).toBeVisible();
  };
  // This file's admin, who has a second factor (a recovery code: the app's next code may already be spent).
  await signInWithCode(admin, totpAdmin, totpAdmin.recoveryCodes![1]!);
  await expectOverview(admin);
  await policy("Required for everyone");
  try {
    const page = await (await newContext()).newPage();
    await signIn(page, email, oneTime);
    await expect(page).toHaveURL(/\/change-password$/);
    const password = newPassword();
    await page.getByLabel("Current password", { exact: true }).fill(oneTime);
    await page.getByLabel("New password", { exact: true }).fill(password);
    await page.getByLabel("Repeat the new password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Save password" }).click();
    await expect(page).toHaveURL(/\/two-factor$/);
    await page.goto("/dashboard/channels");
    await expect(page).toHaveURL(/\/two-factor$/);
    await expect(page.getByRole("heading", { name: "Set up two-factor sign-in" })).toBeVisible();
    await enrolTotp(page);
    await page.getByRole("link", { name: "I saved them: continue" }).click();
    await expectOverview(page);

    // Their phone is lost: an admin resets their two-factor, which signs them out. The password alone now lets them
    // in only as far as setting up a second factor again.
    await admin.goto("/dashboard/users");
    const row = userRow(admin, email);
    await row.getByLabel(`Reset two-factor of ${email}`, { exact: true }).click();
    await row.getByRole("button", { name: `Yes, reset two-factor of ${email}` }).click();
    await expect(row.getByRole("status")).toHaveText("Second factors removed and sessions ended.");
    await page.goto("/dashboard/channels");
    await expect(page).toHaveURL(/\/login/);
    await signIn(page, email, password);
    await expect(page).toHaveURL(/\/two-factor$/);
    await expect(page.getByRole("heading", { name: "Set up two-factor sign-in" })).toBeVisible();
  } finally {
    await policy("Optional for everyone");
  }
});

test("forgot password: one answer for every address, a single-use link by mail, every session ended", async ({ adminPage, newContext, page }) => {
  const email = uniqueEmail("forgot");
  const oneTime = await createUser(adminPage, { email, role: "viewer", method: "password" });
  const before = await (await newContext()).newPage();
  await firstSignIn(before, email, oneTime);

  const ask = async (address: string) => {
    await page.goto("/login");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    // The sign-in form has an Email field too: fill only once the new page is there.
    await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
    await page.getByLabel("Email", { exact: true }).fill(address);
    await page.getByRole("button", { name: "Send me a link" }).click();
    return (await page.getByRole("main").getByRole("status").innerText()).trim();
  };
  const unknownAnswer = await ask(uniqueEmail("nobody"));
  const knownAnswer = await ask(email);
  expect(knownAnswer).toBe(unknownAnswer);
  expect(knownAnswer).toContain("If an account with this address exists");

  const mail = await waitForMail((m) => m.to.includes(email) && m.subject.includes("Reset your partner portal password"));
  const link = /https?:\/\/\S+\/reset-password\/[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0];
  expect(link, mail.text).toBeTruthy();
  const password = newPassword();
  await page.goto(new URL(link!).pathname);
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("Repeat the new password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Save the new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);

  await page.goto(new URL(link!).pathname);
  await expect(page.getByRole("heading", { name: "This link does not work" })).toBeVisible();
  await before.goto("/dashboard");
  await expect(before).toHaveURL(/\/login/);
  await signIn(page, email, password);
  await expectOverview(page);
});
