import type { Response } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import {
  LANDING,
  SANDBOX_HUB,
  channelRow,
  clientOnboarding,
  expectStatusPage,
  finishSandboxSignup,
  sandboxChannelFor,
  setOnboarding,
  suffix,
  uniquePhone,
} from "./support/onboarding";

// The official 360dialog Connect Button as the landing page's trigger (set in the hub's onboarding settings).
// Viewing the page makes nothing; the click opens a blank window, makes the session, and the package's own click
// then opens its URL in that window. The popup comes back to the page hosting the button, which hands the query
// to its opener.

test("Connect Button: no session for page views, one made by the click, and the redirect back to the landing page", async ({ adminPage, newContext, request, baseURL }) => {
  test.setTimeout(60_000);
  await setOnboarding(adminPage, SANDBOX_HUB, { trigger: "connect_button" });
  try {
    const context = await newContext();
    const page = await context.newPage();
    const starts: { method: string; state: string }[] = [];
    let startRequests = 0;
    page.on("request", (req) => {
      if (req.url().endsWith("/api/onboarding/sessions")) startRequests++;
    });
    page.on("response", async (res: Response) => {
      if (!res.url().endsWith("/api/onboarding/sessions") || res.status() !== 201) return;
      const body = (await res.json()) as { method: string; state: string };
      starts.push({ method: body.method, state: body.state });
    });
    await page.goto("/");
    const button = page.getByRole("button", { name: LANDING.en.action });
    await expect(button).toBeEnabled();
    await page.reload();
    await expect(button).toBeEnabled();
    expect(startRequests).toBe(0);

    const popupPromise = page.waitForEvent("popup");
    await button.click();
    const popup = await popupPromise;
    await popup.waitForURL(/localhost:8082\//);
    const io = new URL(popup.url());
    expect(`${io.origin}${io.pathname}`).toBe("http://localhost:8082/dashboard/app/sandboxPA");
    // The package's window carries the session made by this click; the host page is the redirect target.
    await expect.poll(() => starts.length).toBe(1);
    expect(starts[0]!.method).toBe("connect_button");
    expect(io.searchParams.get("state")).toBe(starts[0]!.state);
    expect(io.searchParams.get("redirect_url")).toBe(`${baseURL}/`);
    expect(io.searchParams.get("lang")).toBe("en");
    await expect(page.getByRole("status").filter({ hasText: "The 360dialog window is open" })).toBeVisible();
    expect(startRequests).toBe(1);

    const phone = uniquePhone();
    const email = `button-${suffix()}@client.test`;
    const closed = popup.waitForEvent("close");
    await finishSandboxSignup(popup, { email, fullName: "Ben Button", company: "Button GmbH", phone });
    await closed; // the host page in the popup handed the query over (to our origin only) and closed

    await expectStatusPage(page, phone);
    const channel = await sandboxChannelFor(request, phone);
    await expect(await channelRow(adminPage, channel.id)).toContainText("Button GmbH");
    const sessions = await clientOnboarding(adminPage, email);
    await expect(sessions).toContainText("connect button");
    await expect(sessions).toContainText("completed");
  } finally {
    await setOnboarding(adminPage, SANDBOX_HUB, { trigger: "popup" });
  }
});
