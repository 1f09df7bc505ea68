import { test, expect } from "./support/fixtures";
import { MESSAGES, accountLine, createUser, expectSignInRefused, firstSignIn, setRole, signIn, uniqueEmail, userRow } from "./support/portal";

test("a disabled operator is thrown out on the next request and cannot sign in again", async ({ adminPage, newContext }) => {
  const email = uniqueEmail("operator");
  const oneTimePassword = await createUser(adminPage, { email, role: "operator", method: "password" });
  const operator = await (await newContext()).newPage();
  const password = await firstSignIn(operator, email, oneTimePassword);
  await expect(accountLine(operator)).toContainText("· operator");
  await operator.goto("/dashboard/clients");
  await expect(operator.getByRole("heading", { name: "Clients", level: 1 })).toBeVisible();

  await adminPage.goto("/dashboard/users");
  const row = userRow(adminPage, email);
  await row.getByRole("button", { name: `Disable ${email}` }).click();
  await expect(row.getByRole("status")).toHaveText("User disabled: signed out everywhere.");
  await expect(row).toContainText("Disabled");
  await expect(row.getByRole("button", { name: `Enable ${email}` })).toBeVisible();

  await operator.reload();
  await expect(operator).toHaveURL(/\/login(\?|$)/);
  await expect(operator.getByRole("heading", { name: "Sign in to the partner portal" })).toBeVisible();

  await signIn(operator, email, password);
  await expectSignInRefused(operator, MESSAGES.badCredentials);
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
