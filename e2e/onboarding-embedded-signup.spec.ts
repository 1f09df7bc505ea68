import { expect, test } from "./support/fixtures";
import { SANDBOX_HUB, channelRow, createInvite, expectStatusPage, sandboxChannelFor, setOnboarding, suffix } from "./support/onboarding";

// Partner-hosted Embedded Signup on the sandbox hub (Meta's SDK is the sandbox's stand-in there): the Tech
// Provider settings are made in the hub's onboarding settings, the client comes through an invite link,
// cancels once (and is told where), starts again and finishes; the number is onboarded through account sharing.

const ES = { solutionId: "123456789012345", metaAppId: "1234567890", configId: "9876543210" };

test("Embedded Signup: CANCEL says where the client stopped, FINISH onboards the number", async ({ adminPage, newContext, request }) => {
  test.setTimeout(90_000);
  await setOnboarding(adminPage, SANDBOX_HUB, ES);
  try {
    await adminPage.getByRole("button", { name: "Activate Embedded Signup at 360dialog" }).click();
    await expect(adminPage.getByRole("main").getByRole("status").filter({ hasText: "Embedded Signup activated" })).toBeVisible();
    const label = `Embedded ${suffix()}`;
    const link = await createInvite(adminPage, { hubName: SANDBOX_HUB, label });

    const page = await (await newContext()).newPage();
    await page.goto(link);
    await page.getByRole("link", { name: "Or connect with your Facebook account directly on this site" }).click();
    await expect(page.getByRole("heading", { name: "Connect with Facebook", level: 1 })).toBeVisible();
    await expect(page).toHaveURL(/\/onboarding\/embedded-signup\?lang=en$/); // the invite token left the address bar
    const connect = page.getByRole("button", { name: "Connect with Facebook" });
    await expect(connect).toBeEnabled();

    // CANCEL at the phone number step.
    let popupPromise = page.waitForEvent("popup");
    await connect.click();
    let popup = await popupPromise;
    await expect(popup.getByRole("heading", { name: "Embedded Signup" })).toBeVisible();
    expect(new URL(popup.url()).searchParams.get("config_id")).toBe(ES.configId);
    await popup.getByLabel("Step at which to cancel").selectOption("PHONE_NUMBER_SETUP");
    const cancelled = popup.waitForEvent("close");
    await popup.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByRole("main").getByRole("alert")).toContainText("You stopped at entering your phone number. You can start again.");
    await cancelled;

    // Start again, then FINISH.
    const again = page.getByRole("button", { name: "Start again" });
    await expect(again).toBeEnabled();
    popupPromise = page.waitForEvent("popup");
    await again.click();
    popup = await popupPromise;
    const phone = await popup.getByLabel(/^Phone number/).inputValue();
    await popup.getByLabel("Business name").fill("Embedded Business");
    await popup.getByRole("button", { name: "Finish" }).click();
    await expectStatusPage(page, phone);

    const channel = await sandboxChannelFor(request, phone);
    await expect(await channelRow(adminPage, channel.id)).toContainText(phone);
    await adminPage.goto("/dashboard/invites");
    await adminPage.getByRole("link", { name: label }).click();
    const main = adminPage.getByRole("main");
    await expect(main).toContainText("Embedded Signup cancelled at step PHONE_NUMBER_SETUP");
    await expect(main).toContainText("Embedded Signup finished");
  } finally {
    await setOnboarding(adminPage, SANDBOX_HUB, { solutionId: "", metaAppId: "", configId: "" });
  }
});
