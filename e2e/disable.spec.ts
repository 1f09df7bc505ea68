import { test, expect } from "./support/fixtures";
import { MESSAGES, accountLine, createUser, expectSignInRefused, firstSignIn, setRole, signIn, uniqueEmail, userRow } from "./support/portal";

test("disabling asks first (also without JavaScript); the operator is thrown out and told the account is disabled", async ({
  adminPage,
  adminState,
  newContext,
}) => {
  const email = uniqueEmail("operator");
  const oneTimePassword = await createUser(adminPage, { email, role: "operator", method: "password" });
  const operator = await (await newContext()).newPage();
  const password = await firstSignIn(operator, email, oneTimePassword);
  await expect(accountLine(operator)).toContainText("· operator");
  await operator.goto("/dashboard/clients");
  await expect(operator.getByRole("heading", { name: "Clients", level: 1 })).toBeVisible();

  // The admin's page without JavaScript: the question must not depend on hydration.
  const noScript = await (await newContext({ storageState: adminState, javaScriptEnabled: false })).newPage();
  await noScript.goto("/dashboard/users");
  const row = userRow(noScript, email);
  const confirm = row.getByRole("button", { name: `Yes, disable ${email}` });
  await expect(confirm).toBeHidden();
  await row.getByLabel(`Disable ${email}`, { exact: true }).click();
  await expect(row).toContainText("They are signed out everywhere at once");
  await expect(confirm).toBeVisible();
  // Asking changed nothing.
  await operator.reload();
  await expect(operator.getByRole("heading", { name: "Clients", level: 1 })).toBeVisible();
  await expect(row).toContainText("Active");

  await confirm.click();
  await expect(userRow(noScript, email)).toContainText("Disabled");
  await expect(userRow(noScript, email).getByRole("button", { name: `Enable ${email}` })).toBeVisible();

  await operator.reload();
  await expect(operator).toHaveURL(/\/login(\?|$)/);
  await expect(operator.getByRole("heading", { name: "Sign in to the partner portal" })).toBeVisible();

  // Told the account is disabled only with the right password; a wrong one gets the generic answer.
  await signIn(operator, email, "not-the-operator-password");
  await expectSignInRefused(operator, MESSAGES.badCredentials);
  await signIn(operator, email, password);
  await expectSignInRefused(operator, MESSAGES.disabled);

  // With JavaScript the question works the same way, and enabling needs none.
  await adminPage.goto("/dashboard/users");
  await userRow(adminPage, email).getByRole("button", { name: `Enable ${email}` }).click();
  await expect(userRow(adminPage, email).getByRole("status")).toHaveText("User enabled.");
  await userRow(adminPage, email).getByLabel(`Disable ${email}`, { exact: true }).click();
  await userRow(adminPage, email).getByRole("button", { name: `Yes, disable ${email}` }).click();
  await expect(userRow(adminPage, email).getByRole("status")).toHaveText("User disabled: signed out everywhere.");
});

test("lowering a signed-in operator to viewer takes effect on their next request", async ({ adminPage, newContext }) => {
  const email = uniqueEmail("demoted");
  const oneTimePassword = await createUser(adminPage, { email, role: "operator", method: "password" });
  const user = await (await newContext()).newPage();
  await firstSignIn(user, email, oneTimePassword);
  await expect(accountLine(user)).toContainText("· operator");

  await adminPage.goto("/dashboard/users");
  await setRole(adminPage, email, "viewer");

  await user.goto("/dashboard/clients");
  await expect(user.getByRole("heading", { name: "Clients", level: 1 })).toBeVisible();
  await expect(accountLine(user)).toContainText("· viewer");
  await user.reload();
  await expect(accountLine(user)).toContainText("· viewer");
  // Still signed in (a role change is not a sign-out), still not an admin.
  const response = await user.goto("/dashboard/users");
  expect(response?.status()).toBe(403);
  await expect(user.getByRole("heading", { name: MESSAGES.forbidden })).toBeVisible();
});
