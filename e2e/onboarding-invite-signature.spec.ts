import { expect, test } from "./support/fixtures";
import {
  LANDING,
  SANDBOX,
  addSandboxHub,
  channelRow,
  createInvite,
  expectStatusPage,
  finishSandboxSignup,
  inviteRow,
  openConnectPopup,
  sandboxChannelFor,
  seedSandboxPartner,
  suffix,
  uniquePhone,
} from "./support/onboarding";

// An invite link on a hub with IO Signature on (hex, on the portal and at the sandbox alike) and open signup
// off: the link shows what was prepared, the session signs the IO URL at the click, and the sandbox refuses a
// tampered signature and a second use of a good one.

test("invite link with IO Signature: prefilled, signed per click; a tampered or reused signature is refused", async ({ adminPage, newContext, request }) => {
  test.setTimeout(90_000);
  const id = `sig${suffix()}PA`;
  const partner = { id, name: "Signed partner", apiKey: `${id}-api-key`, platformSecret: `${id}-platform-secret`, ioSignature: { enabled: true, encoding: "hex" as const } };
  await seedSandboxPartner(request, partner);
  const hubName = `Signed hub ${id}`;
  await addSandboxHub(adminPage, partner, { name: hubName, ioSignature: "hex", openSignup: false });

  const email = `invited-${suffix()}@client.test`;
  const number = uniquePhone();
  const label = `Signed prospect ${id}`;
  const link = await createInvite(adminPage, { hubName, label, email, name: "Ines Invited", number });
  expect(link).toMatch(/\/join\/[A-Za-z0-9_-]{43}$/);

  const context = await newContext();
  const page = await context.newPage();
  await page.goto(link);
  const prepared = page.locator("section").filter({ hasText: "We prepared this for you" });
  await expect(prepared).toContainText(email);
  await expect(prepared).toContainText("Ines Invited");
  await expect(prepared).toContainText(number);
  await expect(prepared.getByRole("textbox")).toHaveCount(0); // shown, not editable

  // Hold back the first load of the signed URL, to try it tampered first.
  let signedUrl = "";
  const entry = (url: URL) => url.origin === SANDBOX && url.pathname === `/dashboard/app/${id}`;
  await context.route(entry, async (route) => {
    signedUrl = route.request().url();
    await route.fulfill({ status: 200, contentType: "text/html", body: "<title>held</title>held back by the test" });
  });
  const popup = await openConnectPopup(page, LANDING.en.action);
  await expect.poll(() => signedUrl).toContain("io_signature=");
  await context.unroute(entry);
  const signed = new URL(signedUrl);
  expect(signed.searchParams.get("io_signature")).toMatch(/^[0-9a-f]{128}$/);
  expect(Number(signed.searchParams.get("io_timestamp"))).toBeGreaterThan(Date.now() / 1000 - 120);
  expect(signed.searchParams.get("email")).toBe(email);

  const tampered = new URL(signedUrl);
  const sig = tampered.searchParams.get("io_signature")!;
  tampered.searchParams.set("io_signature", `${sig[0] === "a" ? "b" : "a"}${sig.slice(1)}`);
  await popup.goto(tampered.toString());
  await expect(popup.getByRole("heading", { name: "IO signature rejected" })).toBeVisible();
  await expect(popup.getByRole("alert")).toContainText("The IO signature is wrong");

  await popup.goto(signedUrl);
  const closed = popup.waitForEvent("close");
  await finishSandboxSignup(popup, { email, fullName: "Ines Invited", company: "Invited GmbH", phone: number });
  await closed;
  await expectStatusPage(page, number);

  // The same signed URL again: the sandbox has seen this signature.
  const again = await context.newPage();
  await again.goto(signedUrl);
  await expect(again.getByRole("heading", { name: "IO signature rejected" })).toBeVisible();
  await expect(again.getByRole("alert")).toContainText("already used");

  const channel = await sandboxChannelFor(request, number);
  await expect(await channelRow(adminPage, channel.id)).toContainText("Invited GmbH");
  const row = await inviteRow(adminPage, label);
  await expect(row).toContainText("1 (no limit)"); // one session started from the link
  await expect(row).toContainText("Client linked · 1 channel");
});
