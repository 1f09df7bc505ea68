import { expect, test } from "./support/fixtures";
import { LANDING, channelRow, expectStatusPage, finishSandboxSignup, openConnectPopup, sandboxChannelFor, suffix, uniquePhone } from "./support/onboarding";

// 360dialog's redirect reaching a page without an opener (a closed popup, a link followed in a tab): the
// redirect page posts the query to the portal itself, and the binding cookie of the browser that started the
// session lets it through (docs/security.md R15 fallback).

test("a redirect without opener: the page that started the session finishes the flow itself", async ({ newContext, adminPage, request, baseURL }) => {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto("/");

  // 360dialog's redirect is kept from reaching the popup; the page that started the session opens it instead.
  // (A route sees only the first request of a redirect chain: the sandbox's last form post, which answers 302.)
  let redirectUrl = "";
  const lastStep = `http://localhost:8082/io/embedded-signup`;
  await context.route(lastStep, async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    redirectUrl = response.headers().location ?? "";
    await route.fulfill({ status: 200, contentType: "text/plain", body: "held back by the test" });
  });
  const popup = await openConnectPopup(page, LANDING.en.action);
  const phone = uniquePhone();
  await finishSandboxSignup(popup, { email: `noopener-${suffix()}@client.test`, fullName: "Nora Noopener", company: "No Opener AG", phone });
  await expect.poll(() => redirectUrl).toContain("state=");
  await context.unroute(lastStep);
  expect(new URL(redirectUrl).origin).toBe(baseURL);
  await popup.close();

  const headers = (await request.get(redirectUrl, { maxRedirects: 0 })).headers();
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["cache-control"]).toContain("no-store");
  expect(headers["cross-origin-opener-policy"]).toBe("unsafe-none");

  await page.goto(redirectUrl);
  await expectStatusPage(page, phone);
  const channel = await sandboxChannelFor(request, phone);
  await expect(await channelRow(adminPage, channel.id)).toContainText("No Opener AG");
});
