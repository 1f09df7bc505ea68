import { test, expect } from "./support/fixtures";
import { accountLine, createUser, expectOverview, submitSignIn, uniqueEmail, userRow } from "./support/portal";

test("an invite link lets the new user choose a password once", async ({ adminPage, newContext, baseURL }) => {
  const email = uniqueEmail("invited");
  const link = await createUser(adminPage, { email, role: "operator", method: "invite" });
  expect(link.startsWith(`${baseURL}/invite/`), link).toBe(true);
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{40,}$/);
  await adminPage.reload();
  await expect(userRow(adminPage, email)).toContainText("Invited");

  const page = await (await newContext()).newPage();
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Join the partner portal" })).toBeVisible();
  await expect(page.getByText(`You were invited as ${email} (operator)`)).toBeVisible();

  const password = "invited-user-password-1";
  await page.getByLabel("Your name", { exact: true }).fill("Ivo Invited");
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Repeat the password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Set password and continue" }).click();

  await expect(page).toHaveURL(/\/login\?created=1$/);
  await expect(page.getByRole("status")).toContainText("Your account is ready.");
  await submitSignIn(page, email, password);
  await expectOverview(page);
  await expect(accountLine(page)).toContainText("Ivo Invited · operator");

  // The link worked once.
  const again = await (await newContext()).newPage();
  await again.goto(link);
  await expect(again.getByRole("heading", { name: "This invite link does not work" })).toBeVisible();
  await expect(again.getByRole("button", { name: "Set password and continue" })).toHaveCount(0);
});
