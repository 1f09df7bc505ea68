import { expect, test } from "./support/fixtures";
import { LANDING, channelRow, expectStatusPage, finishSandboxSignup, sandboxChannelFor, suffix, uniquePhone } from "./support/onboarding";

// A browser that blocks the popup: window.open gives null. The click still starts a session, and the page offers
// the 360dialog URL as a plain link; followed in the same tab, the redirect page finishes without an opener.

test("popup blocked: the page offers a plain link, and the sign-up completes through it", async ({ newContext, adminPage, request }) => {
  const context = await newContext();
  await context.addInitScript(() => {
    window.open = () => null;
  });
  const page = await context.newPage();
  const funnel: string[] = [];
  page.on("request", (req) => {
    if (req.url().endsWith("/api/onboarding/funnel")) funnel.push(req.postData() ?? "");
  });
  await page.goto("/");
  await page.getByRole("button", { name: LANDING.en.action }).click();

  await expect(page.getByText("Your browser blocked the 360dialog window.")).toBeVisible();
  const link = page.getByRole("link", { name: "Continue to 360dialog" });
  expect(await link.getAttribute("href")).toMatch(/^http:\/\/localhost:8082\/dashboard\/app\/sandboxPA\?.*state=[A-Za-z0-9_-]{43}/);
  await expect.poll(() => funnel.some((body) => body.includes('"popup_blocked"'))).toBe(true);

  await link.click();
  const phone = uniquePhone();
  await finishSandboxSignup(page, { email: `blocked-${suffix()}@client.test`, fullName: "Bea Blocked", company: "Blocked KG", phone });
  await expectStatusPage(page, phone);

  const channel = await sandboxChannelFor(request, phone);
  await expect(await channelRow(adminPage, channel.id)).toContainText("Blocked KG");
});
