import { test, expect } from "./support/fixtures";
import {
  MESSAGES,
  NAV_LINKS,
  accountLine,
  changePassword,
  createUser,
  createUserForm,
  firstSignIn,
  mainNav,
  roleShownFor,
  setRole,
  signIn,
  uniqueEmail,
  userRow,
} from "./support/portal";
import { recordServerAction, replayServerAction } from "./support/server-action";

test("a viewer with a one-time password must choose a password and cannot reach admin pages", async ({ adminPage, newContext }) => {
  const email = uniqueEmail("viewer");
  const oneTimePassword = await createUser(adminPage, { email, role: "viewer", method: "password", name: "Vera Viewer" });
  expect(oneTimePassword).toMatch(/^[A-Za-z2-9]{20}$/);
  await expect(createUserForm(adminPage)).toContainText("One-time password (shown only now)");
  await expect(userRow(adminPage, email)).toContainText("One-time password");

  // Shown once: gone after a reload.
  await adminPage.reload();
  await expect(adminPage.getByTestId("issued-access")).toHaveCount(0);
  await expect(adminPage.getByText(oneTimePassword)).toHaveCount(0);

  const viewer = await (await newContext()).newPage();
  await signIn(viewer, email, oneTimePassword);
  await expect(viewer).toHaveURL(/\/change-password$/);
  await expect(viewer.getByText("You signed in with a one-time password.")).toBeVisible();

  // No way around the password change.
  await viewer.goto("/dashboard/clients");
  await expect(viewer).toHaveURL(/\/change-password$/);

  await changePassword(viewer, oneTimePassword, "viewer-own-password-1");
  await expect(accountLine(viewer)).toContainText("Vera Viewer · viewer");
  // Users and Settings are admin-only.
  await expect(mainNav(viewer).getByRole("link")).toHaveText(NAV_LINKS.filter((l) => l !== "Users" && l !== "Settings"));
  await expect(mainNav(viewer).getByRole("link", { name: "Users" })).toHaveCount(0);

  const response = await viewer.goto("/dashboard/users");
  expect(response?.status()).toBe(403);
  await expect(viewer.getByRole("heading", { name: MESSAGES.forbidden })).toBeVisible();
  await expect(viewer.getByRole("table", { name: "Staff users" })).toHaveCount(0);

  await adminPage.goto("/dashboard/users");
  await expect(userRow(adminPage, email)).toContainText("Active");
});

test("a role change replayed from a viewer's session, or with no session, changes nothing", async ({ adminPage, newContext }) => {
  const target = uniqueEmail("target");
  await createUser(adminPage, { email: target, role: "viewer", method: "invite" });
  const viewerEmail = uniqueEmail("replayer");
  const oneTimePassword = await createUser(adminPage, { email: viewerEmail, role: "viewer", method: "password" });

  const viewerContext = await newContext();
  await firstSignIn(await viewerContext.newPage(), viewerEmail, oneTimePassword);

  // Record what the admin's browser sends to make the target an operator, then undo it.
  await adminPage.goto("/dashboard/users");
  const row = userRow(adminPage, target);
  await row.getByLabel(`Role of ${target}`, { exact: true }).selectOption("operator");
  const roleChange = await recordServerAction(adminPage, () => row.getByRole("button", { name: `Save role of ${target}` }).click());
  await expect(row.getByRole("status")).toHaveText("Role saved.");
  expect(await roleShownFor(adminPage, target)).toBe("operator");
  await setRole(adminPage, target, "viewer");
  expect(await roleShownFor(adminPage, target)).toBe("viewer");

  const asViewer = await replayServerAction(viewerContext.request, roleChange);
  expect(asViewer.text).toContain(MESSAGES.roleRefused);
  expect(await roleShownFor(adminPage, target)).toBe("viewer");

  const anonymous = await newContext();
  const asNobody = await replayServerAction(anonymous.request, roleChange);
  expect(asNobody.text).not.toContain("Role saved.");
  if (asNobody.status >= 300 && asNobody.status < 400) {
    // Stopped by the proxy before the action ran.
    expect(asNobody.location).toContain("/login");
  } else {
    expect(asNobody.text).toContain("Your session has ended. Please sign in again.");
  }
  expect(await roleShownFor(adminPage, target)).toBe("viewer");

  // Control: the same recorded request from the admin's session does work, so the refusals above are real.
  const asAdmin = await replayServerAction(adminPage.context().request, roleChange);
  expect(asAdmin.text).toContain("Role saved.");
  expect(await roleShownFor(adminPage, target)).toBe("operator");
});

