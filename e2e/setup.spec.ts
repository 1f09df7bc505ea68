import { test, expect } from "./support/fixtures";
import { ADMIN, MESSAGES, NAV_LINKS, expectOverview, expectSignInRefused, mainNav, pageAlert, roleShownFor, signIn, submitSignIn, uniqueEmail, userRow } from "./support/portal";
import { recordServerAction, replayServerAction, type RecordedAction } from "./support/server-action";

// First run on an empty database. Runs first (project "setup"); creates the admin every other file uses.
test.describe.configure({ mode: "serial" });

let setupRequest: RecordedAction | undefined;

test("a fresh portal sends visitors to the first-run setup", async ({ page }) => {
  // `/` of a portal without any staff account is the installing partner's first stop (README, Quick start).
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Welcome: create the first administrator" })).toBeVisible();

  await page.goto("/login");
  await expect(page).toHaveURL(/\/setup$/);

  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/setup$/);
});

test("the setup form shows its validation errors next to the fields", async ({ page }) => {
  await page.goto("/setup");
  const password = page.getByLabel("Password", { exact: true });
  const confirm = page.getByLabel("Repeat the password", { exact: true });
  const fill = async (pw: string, repeat: string) => {
    await page.getByLabel("Your name", { exact: true }).fill(ADMIN.name);
    await page.getByLabel("Email", { exact: true }).fill(ADMIN.email);
    await password.fill(pw);
    await confirm.fill(repeat);
    await page.getByRole("button", { name: "Create administrator" }).click();
  };

  await fill("short", "short");
  await expect(pageAlert(page)).toHaveText("Please correct the highlighted fields.");
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAccessibleDescription(/Use at least 12 characters\./);
  await expect(confirm).not.toHaveAttribute("aria-invalid", "true");

  await fill("a-long-enough-password", "a-different-password");
  await expect(confirm).toHaveAttribute("aria-invalid", "true");
  await expect(confirm).toHaveAccessibleDescription("The passwords do not match.");
  await expect(password).not.toHaveAttribute("aria-invalid", "true");

  // Nothing was created: the setup page is still open.
  await page.goto("/setup");
  await expect(page.getByRole("heading", { name: "Welcome: create the first administrator" })).toBeVisible();
});

test("creating the first admin leads to sign-in, then to the dashboard", async ({ page }) => {
  await page.goto("/setup");
  await page.getByLabel("Your name", { exact: true }).fill(ADMIN.name);
  await page.getByLabel("Email", { exact: true }).fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Repeat the password", { exact: true }).fill(ADMIN.password);
  setupRequest = await recordServerAction(page, () => page.getByRole("button", { name: "Create administrator" }).click());

  await expect(page).toHaveURL(/\/login\?created=1$/);
  // Must stay there: a /login prerendered while the database was empty keeps redirecting to /setup.
  await expect(page.getByRole("heading", { name: "Sign in to the partner portal" }), "the sign-in page is shown once setup is done").toBeVisible();
  await expect(page).toHaveURL(/\/login\?created=1$/);
  await expect(page.getByRole("status")).toContainText("Your account is ready.");

  await submitSignIn(page, ADMIN.email, ADMIN.password);
  await expectOverview(page);
  await expect(mainNav(page).getByRole("link")).toHaveText([...NAV_LINKS]);
  await expect(page.locator("header")).toContainText(`${ADMIN.name} · admin`);
});

test("setup is closed once the admin exists, also for a replayed setup request", async ({ page, newContext }) => {
  await page.goto("/setup");
  await expect(page.getByRole("heading", { name: "Setup is complete" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Create administrator" })).toHaveCount(0);
  await page.getByRole("link", { name: "Go to sign in" }).click();
  await expect(page).toHaveURL(/\/login$/);
  // From now on `/` is the clients' page again.
  await page.goto("/");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Partner staff: sign in" })).toBeVisible();

  // The setup action posted directly, with another email, from a visitor without a session.
  expect(setupRequest, "the setup action request was recorded by the previous test").toBeDefined();
  const intruder = uniqueEmail("second-admin");
  const body = Buffer.from(setupRequest!.body.toString("latin1").replaceAll(ADMIN.email, intruder), "latin1");
  const visitor = await newContext();
  const replay = await replayServerAction(visitor.request, setupRequest!, body);
  expect(replay.status, replay.text).toBeLessThan(300);
  expect(replay.text).toContain("Setup is already complete. Sign in instead.");

  await signIn(page, intruder, ADMIN.password);
  await expectSignInRefused(page, MESSAGES.badCredentials);
});

test("the audit log lists the setup and the sign-in; the only admin keeps their role, and that refusal goes after the next action", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await expectOverview(page);
  await mainNav(page).getByRole("link", { name: "Audit" }).click();
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  const entries = page.getByRole("table", { name: "Audit entries" });
  await expect(entries.getByRole("cell", { name: "setup.first_admin", exact: true })).toHaveCount(1);
  await expect(entries.getByRole("cell", { name: "auth.sign_in", exact: true }).first()).toBeVisible();
  await expect(entries.getByRole("row").filter({ hasText: "setup.first_admin" })).toContainText(ADMIN.email);

  // Here, before any other file adds users, the first admin is the only one: lowering their own role is refused.
  await mainNav(page).getByRole("link", { name: "Users" }).click();
  const row = userRow(page, ADMIN.email);
  await row.getByLabel(`Role of ${ADMIN.email}`, { exact: true }).selectOption("operator");
  await row.getByRole("button", { name: `Save role of ${ADMIN.email}` }).click();
  await expect(row.getByRole("alert")).toHaveText("This is the last active admin. Make another user admin first.");
  // A later, unrelated action on the page (the sign-in policy, saved as it is): the refusal is no longer shown.
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Two-factor policy saved." })).toBeVisible();
  await expect(row.getByRole("alert")).toHaveCount(0);
  await expect(page.getByText("This is the last active admin")).toHaveCount(0);
  expect(await roleShownFor(page, ADMIN.email)).toBe("admin");
  // And the other way round: the policy saved, then the role refused again: the policy's "saved" goes.
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Two-factor policy saved." })).toBeVisible();
  await row.getByLabel(`Role of ${ADMIN.email}`, { exact: true }).selectOption("operator");
  await row.getByRole("button", { name: `Save role of ${ADMIN.email}` }).click();
  await expect(row.getByRole("alert")).toHaveText("This is the last active admin. Make another user admin first.");
  await expect(page.getByText("Two-factor policy saved.")).toHaveCount(0);
});
