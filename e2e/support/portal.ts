import { randomBytes } from "node:crypto";
import { expect, type APIRequestContext, type APIResponse, type Locator, type Page } from "@playwright/test";

// Page helpers: everything is driven by role, label and the visible text a user reads.

export type Role = "viewer" | "operator" | "admin";

/** The first admin, created through the setup page by setup.spec.ts. */
export const ADMIN = {
  name: "Ada Admin",
  email: "ada.admin@example.com",
  password: "first-admin-password-2024",
} as const;

export const MESSAGES = {
  badCredentials: "Email or password is not correct.",
  disabled: "This account is disabled. Ask an admin of the portal to enable it again.",
  throttled: "Too many sign-in attempts",
  forbidden: "You do not have access to this page",
  roleRefused: "Your role does not allow this.",
} as const;

export const NAV_LINKS = ["Overview", "Needs attention", "Clients", "Channels", "Templates", "Webhooks", "Invites", "Settings", "Users", "Audit", "API"] as const;

/** An email no other test uses: tests never depend on each other's users. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}@example.com`;
}

/** A password that satisfies the policy (12+ characters). */
export function newPassword(): string {
  return `pw-${randomBytes(9).toString("base64url")}`;
}

/** Opens /login and submits the form; the caller asserts where that leads. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Sign in to the partner portal" })).toBeVisible();
  await submitSignIn(page, email, password);
}

/** Fills and submits the sign-in form already on screen. */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** The page's own error alert (Next.js' route announcer also has role="alert", outside <main>). */
export function pageAlert(page: Page): Locator {
  return page.getByRole("main").getByRole("alert");
}

export async function expectSignInRefused(page: Page, message: string = MESSAGES.badCredentials): Promise<void> {
  await expect(pageAlert(page)).toContainText(message);
  await expect(page).toHaveURL(/\/login(\?|$)/);
}

export async function expectOverview(page: Page): Promise<void> {
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
}

export function mainNav(page: Page): Locator {
  return page.getByRole("navigation", { name: "Main" });
}

/** The "signed in as … · role" line in the dashboard header. */
export function accountLine(page: Page): Locator {
  return page.locator("header").filter({ hasText: "·" });
}

export function createUserForm(page: Page): Locator {
  return page.locator("section").filter({ has: page.getByRole("heading", { name: "Add a user" }) });
}

export function userRow(page: Page, email: string): Locator {
  return page.getByTestId(`user-row-${email}`);
}

/**
 * Creates a staff user from the Users page and returns what the portal shows once: the one-time password or
 * the invite link.
 */
export async function createUser(
  adminPage: Page,
  user: { email: string; role: Role; method: "password" | "invite"; name?: string },
): Promise<string> {
  await adminPage.goto("/dashboard/users");
  const form = createUserForm(adminPage);
  await form.getByLabel("Email", { exact: true }).fill(user.email);
  if (user.name) await form.getByLabel("Name", { exact: true }).fill(user.name);
  await form.getByLabel("Role", { exact: true }).selectOption(user.role);
  await form.getByRole("radio", { name: user.method === "password" ? "One-time password" : "Invite link" }).check();
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(form.getByRole("status").first()).toContainText(`${user.email} was added as ${user.role}.`);
  const issued = form.getByTestId("issued-access");
  await expect(issued).toHaveText(/\S/);
  return (await issued.innerText()).trim();
}

/** On /change-password: replaces the current (one-time) password; lands on the dashboard. */
export async function changePassword(page: Page, current: string, next: string): Promise<void> {
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await page.getByLabel("Current password", { exact: true }).fill(current);
  await page.getByLabel("New password", { exact: true }).fill(next);
  await page.getByLabel("Repeat the new password", { exact: true }).fill(next);
  await page.getByRole("button", { name: "Save password" }).click();
  await expectOverview(page);
}

/** Signs in with a freshly issued one-time password and chooses a new one; returns the new password. */
export async function firstSignIn(page: Page, email: string, oneTimePassword: string): Promise<string> {
  await signIn(page, email, oneTimePassword);
  await expect(page).toHaveURL(/\/change-password$/);
  const password = newPassword();
  await changePassword(page, oneTimePassword, password);
  return password;
}

/** Admin: sets a user's role with the row's select and Save role button. */
export async function setRole(adminPage: Page, email: string, role: Role): Promise<void> {
  const row = userRow(adminPage, email);
  await row.getByLabel(`Role of ${email}`, { exact: true }).selectOption(role);
  await row.getByRole("button", { name: `Save role of ${email}` }).click();
  await expect(row.getByRole("status")).toHaveText("Role saved.");
}

/** Admin: reloads the Users page and returns the role the row's select shows. */
export async function roleShownFor(adminPage: Page, email: string): Promise<string> {
  await adminPage.goto("/dashboard/users");
  return userRow(adminPage, email).getByLabel(`Role of ${email}`, { exact: true }).inputValue();
}

export const CREDENTIALS_CALLBACK = "/api/auth/callback/credentials";

/** A CSRF token from /api/auth/csrf; its cookie lands in the same request context. */
export async function csrfTokenFor(request: APIRequestContext): Promise<string> {
  const csrf = await request.get("/api/auth/csrf");
  expect(csrf.status()).toBe(200);
  return ((await csrf.json()) as { csrfToken: string }).csrfToken;
}

/**
 * What next-auth's signIn() sends: a CSRF token from /api/auth/csrf, then the credentials form with json=true
 * (plus any `extra` fields, e.g. a callbackUrl).
 */
export async function postCredentials(
  request: APIRequestContext,
  credentials: { email: string; password: string },
  headers: Record<string, string> = {},
  extra: Record<string, string> = {},
): Promise<APIResponse> {
  const csrfToken = await csrfTokenFor(request);
  return request.post(CREDENTIALS_CALLBACK, {
    form: { csrfToken, email: credentials.email, password: credentials.password, json: "true", ...extra },
    headers,
    maxRedirects: 0,
  });
}

/** Posts a hand-made body to the credentials endpoint (fields in any order, any number of times). */
export async function postRawCredentials(
  request: APIRequestContext,
  fields: [string, string][],
  contentType = "application/x-www-form-urlencoded",
): Promise<APIResponse> {
  const csrfToken = await csrfTokenFor(request);
  const body = new URLSearchParams([["csrfToken", csrfToken], ...fields, ["json", "true"]]).toString();
  return request.post(CREDENTIALS_CALLBACK, { data: body, headers: { "content-type": contentType }, maxRedirects: 0 });
}
