import { expect, test } from "./support/fixtures";
import { LANDING, SANDBOX_HUB, editHub } from "./support/onboarding";

// docs/security.md R10: with open signup off on every hub, an anonymous visitor gets no way to start, and the API refuses to
// make a session (so no state and no IO Signature ever reach them). The setting is changed in the hub form.

test.describe.configure({ mode: "serial" });

test("open signup off: no action on the start page, the API refuses an anonymous start, and Embedded Signup too", async ({ adminPage, newContext }) => {
  await editHub(adminPage, SANDBOX_HUB, { openSignup: false });
  try {
    await adminPage.goto("/dashboard/settings");
    await expect(adminPage.getByRole("main").locator("section").filter({ hasText: "Partner ID sandboxPA" })).toContainText("Invite links only");

    const page = await (await newContext()).newPage();
    await page.goto("/");
    await expect(page.getByRole("heading", { name: LANDING.en.title, level: 1 })).toBeVisible();
    await expect(page.getByRole("main").getByRole("status")).toContainText("Sign-up here is by invitation only. Please ask your provider for your personal invite link");
    await expect(page.getByRole("main").getByRole("button")).toHaveCount(0);

    const refused = await page.evaluate(async () => {
      const res = await fetch("/api/onboarding/sessions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ method: "popup" }) });
      return { status: res.status, cookie: res.headers.get("set-cookie"), body: (await res.json()) as Record<string, unknown> };
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      type: "about:blank",
      title: "Forbidden",
      status: 403,
      code: "forbidden:onboarding",
      detail: "Sign-up is by invitation only. Please ask your provider for an invite link.",
    });
    expect(JSON.stringify(refused.body)).not.toMatch(/state|io_signature|ioUrl/);

    await page.goto("/onboarding/embedded-signup");
    await expect(page.getByRole("main").getByRole("alert")).toContainText("by invitation only");
    await expect(page.getByRole("button", { name: "Connect with Facebook" })).toHaveCount(0);

    // The German page says the same.
    await page.goto("/?lang=de");
    await expect(page.getByRole("main").getByRole("status")).toContainText("Die Anmeldung ist hier nur mit Einladung möglich.");
  } finally {
    await editHub(adminPage, SANDBOX_HUB, { openSignup: true });
  }
});
