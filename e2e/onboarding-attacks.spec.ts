import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import {
  LANDING,
  NOT_ONBOARDED_HERE,
  SANDBOX,
  channelCount,
  clientCount,
  clientOnboarding,
  expectStatusPage,
  finishSandboxSignup,
  onboardAtSandbox,
  openConnectPopup,
  recordNavigations,
  registerSandboxWebhooks,
  seedSandboxPartner,
  suffix,
  uniquePhone,
} from "./support/onboarding";
import { pageAlert } from "./support/portal";

// The attacks on the redirect (docs/security.md R11-R14): forged and reused state, a client of another partner, open-redirect
// payloads in every parameter, and messages posted from another origin. Each asserts what the client sees and
// that the staff pages (what the database holds) show nothing linked.

const randomState = () => randomBytes(32).toString("base64url");

test("a forged state links nothing, even for a real client of the partner", async ({ newContext, adminPage, request }) => {
  await registerSandboxWebhooks(adminPage);
  const email = `forged-${suffix()}@client.test`;
  const victim = await onboardAtSandbox(request, { partnerId: "sandboxPA", email, phoneNumber: uniquePhone() });
  const page = await (await newContext()).newPage();
  await page.goto(`/onboarding/redirect?client=${victim.clientId}&channels=[${victim.channelIds[0]}]&state=${randomState()}`);
  await expect(pageAlert(page)).toContainText("We could not find the sign-up this page belongs to, so nothing was linked.");
  await expect(page).toHaveURL(/\/onboarding\/redirect$/); // the query left the address bar (docs/security.md R16)
  expect(await page.evaluate(() => window.location.search)).toBe("");
  // The webhook makes the client known to the portal; no onboarding session of ours claims it.
  await expect(await clientOnboarding(adminPage, email)).toContainText(NOT_ONBOARDED_HERE);
});

test("a used state is refused the second time, in the same browser and in another one", async ({ newContext, adminPage }) => {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto("/");
  // Note 360dialog's redirect on its way (the last form post of the sandbox answers it), then let it through.
  let redirectUrl = "";
  await context.route(`${SANDBOX}/io/embedded-signup`, async (route) => {
    const response = await route.fetch({ maxRedirects: 0 });
    redirectUrl = response.headers().location ?? "";
    await route.fulfill({ response });
  });
  const popup = await openConnectPopup(page);
  const phone = uniquePhone();
  const email = `reuse-${suffix()}@client.test`;
  const closed = popup.waitForEvent("close");
  await finishSandboxSignup(popup, { email, fullName: "Rita Reuse", company: "Reuse SE", phone });
  await closed;
  await expectStatusPage(page, phone);
  expect(redirectUrl).toContain("state=");

  await page.goto(redirectUrl);
  await expect(pageAlert(page)).toContainText("This sign-up has already been completed once, so nothing more was linked.");
  const other = await (await newContext()).newPage();
  await other.goto(redirectUrl);
  await expect(pageAlert(other)).toContainText("This sign-up has already been completed once");
  expect(await clientCount(adminPage, email)).toBe(1);
});

test("a client that is not under this partner is refused after asking 360dialog", async ({ newContext, adminPage, request }) => {
  const other = { id: `other${suffix()}PA`, name: "Other partner", apiKey: "other-partner-key", platformSecret: "other-platform-secret" };
  await seedSandboxPartner(request, other);
  const foreignEmail = `foreign-${suffix()}@client.test`;
  const foreign = await onboardAtSandbox(request, { partnerId: other.id, email: foreignEmail, phoneNumber: uniquePhone() });

  const page = await (await newContext()).newPage();
  await page.goto("/");
  const popup = await openConnectPopup(page);
  const state = new URL(popup.url()).searchParams.get("state");
  await popup.close();
  await page.goto(`/onboarding/redirect?client=${foreign.clientId}&channels=[${foreign.channelIds[0]}]&state=${state}`);
  await expect(pageAlert(page)).toContainText("360dialog did not confirm this account for your provider, so nothing was linked.");
  expect(await channelCount(adminPage, foreign.channelIds[0]!)).toBe(0);
  expect(await clientCount(adminPage, foreignEmail)).toBe(0);
});

const PAYLOADS = [
  "//evil.test",
  "///evil.test",
  "////evil.test/x",
  "/\\evil.test",
  "\\\\evil.test",
  "\\/evil.test",
  "/\t/evil.test",
  " //evil.test",
  "https:evil.test",
  "https:/evil.test",
  "https://evil.test",
  "http://evil.test/onboarding/status/" + "A".repeat(43),
  "HTTPS://EVIL.TEST",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(document.domain)",
  "javascript://%0aalert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "%2F%2Fevil.test",
  "%252F%252Fevil.test",
  "/%2F/evil.test",
  "/%5Cevil.test",
  "%5C%5Cevil.test",
  "https://portal@evil.test",
  "https://localhost@evil.test",
  "//localhost@evil.test",
  "https://evil.test#@localhost",
  "https://evil.test?@localhost",
  "http://127.0.0.1.evil.test",
  "/onboarding/status/../../..//evil.test",
  "https://evil。test",
  "[//evil.test]",
  "[javascript:alert(1)]",
  "<script>location='//evil.test'</script>",
];
const PARAMS = ["client", "channels", "revoked", "state", "redirect_url", "next", "returnPath"] as const;

async function expectStillHome(page: Page, baseURL: string): Promise<void> {
  await expect(pageAlert(page)).toBeVisible();
  expect(new URL(page.url()).origin).toBe(baseURL);
}

test("open-redirect payloads in every parameter never take the browser off the portal", async ({ newContext, baseURL }) => {
  test.setTimeout(240_000);
  expect(PAYLOADS.length).toBeGreaterThanOrEqual(30);
  const context = await newContext();
  const escaped: string[] = [];
  await context.route((url) => /evil/i.test(url.hostname), async (route) => {
    escaped.push(route.request().url());
    await route.abort();
  });
  const navigations = recordNavigations(context);
  const valid: Record<(typeof PARAMS)[number], string> = {
    client: "AbCdEfGhCL",
    channels: "[AbCdEfGhCH]",
    revoked: "[]",
    state: randomState(),
    redirect_url: "/onboarding/redirect",
    next: "/",
    returnPath: "/",
  };
  let tried = 0;
  // Over 300 independent page loads: three tabs of the same browser share them, so one tab's wait for the server
  // is another's rendering (the suite's longest test, one tab at a time).
  const LANES = 3;
  const lanes = Array.from({ length: LANES }, (_, lane) => PAYLOADS.filter((_, i) => i % LANES === lane));
  await Promise.all(
    lanes.map(async (payloads) => {
      const page = await context.newPage();
      for (const payload of payloads) {
        for (const param of PARAMS) {
          const query = new URLSearchParams({ ...valid, [param]: payload });
          await page.goto(`/onboarding/redirect?${query}`);
          await expectStillHome(page, baseURL!);
          tried += 1;
        }
        // The Connect Button's host pages finish the flow too: every parameter poisoned at once.
        const all = new URLSearchParams(Object.fromEntries(PARAMS.map((p) => [p, payload])));
        for (const host of ["/", `/join/${randomState()}`]) {
          await page.goto(`${host}?${all}`);
          await expectStillHome(page, baseURL!);
          tried += 1;
        }
        // returnPath is what a start sends as the Connect Button's redirect target: refused before any session.
        const start = await page.evaluate(async (returnPath) => {
          const res = await fetch("/api/onboarding/sessions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ method: "connect_button", returnPath }) });
          return { status: res.status, body: await res.text() };
        }, payload);
        expect(start.status, start.body).toBe(400);
        tried += 1;
      }
    }),
  );
  expect(tried).toBe(PAYLOADS.length * (PARAMS.length + 3));
  console.log(`[open redirect] ${tried} attempts with ${PAYLOADS.length} payloads; escaped: ${escaped.length}`);
  expect(escaped).toEqual([]);
  for (const url of navigations) expect(new URL(url).origin, url).toBe(baseURL);
});

test("messages from another origin, or from a window that is not the popup, change nothing", async ({ newContext, adminPage, request, baseURL }) => {
  await registerSandboxWebhooks(adminPage);
  const victimEmail = `victim-${suffix()}@client.test`;
  const victim = await onboardAtSandbox(request, { partnerId: "sandboxPA", email: victimEmail, phoneNumber: uniquePhone() });
  const context = await newContext();
  const page = await context.newPage();
  const completes: string[] = [];
  page.on("request", (req) => {
    if (req.url().endsWith("/api/onboarding/complete")) completes.push(req.url());
  });
  await page.goto("/");
  const popup = await openConnectPopup(page);
  const ioUrl = popup.url();
  const state = new URL(ioUrl).searchParams.get("state");
  // The real state of this very session, with a real client of the partner: only the sender is wrong.
  const forged = `?client=${victim.clientId}&channels=[${victim.channelIds[0]}]&state=${state}`;

  // 1. The popup itself, now on another origin (a page of the sandbox).
  await popup.goto(`${SANDBOX}/_sandbox/health`);
  await popup.evaluate((q) => (window.opener as Window).postMessage(q, "*"), forged);
  // 2. Another window on that origin, opened by the landing page.
  const otherPromise = page.waitForEvent("popup");
  await page.evaluate((url) => void window.open(url, "other-origin"), `${SANDBOX}/_sandbox/health`);
  const other = await otherPromise;
  await other.waitForLoadState();
  await other.evaluate((q) => (window.opener as Window).postMessage(q, "*"), forged);
  await other.evaluate((q) => (window.opener as Window).postMessage({ query: q }, "*"), forged);
  // 3. A window of the portal's own origin that is not the popup.
  const samePromise = page.waitForEvent("popup");
  await page.evaluate(() => void window.open("/onboarding/redirect", "same-origin"));
  const same = await samePromise;
  await same.waitForLoadState();
  await same.evaluate((q) => (window.opener as Window).postMessage(q, window.location.origin), forged);

  // Proving an absence takes a moment of waiting: nothing may be posted to the portal, nothing may move.
  await page.waitForTimeout(1_500);
  expect(completes).toEqual([]);
  expect(page.url()).toBe(`${baseURL}/`);
  await expect(page.getByRole("heading", { name: LANDING.en.title, level: 1 })).toBeVisible();
  await expect(await clientOnboarding(adminPage, victimEmail)).toContainText(NOT_ONBOARDED_HERE);

  // The session itself is untouched: the real flow still completes in the popup.
  await other.close();
  await same.close();
  await popup.goto(ioUrl);
  const phone = uniquePhone();
  const closed = popup.waitForEvent("close");
  await finishSandboxSignup(popup, { email: `real-${suffix()}@client.test`, fullName: "Real Client", company: "Real GmbH", phone });
  await closed;
  await expectStatusPage(page, phone);
  expect(completes).toHaveLength(1);
});
