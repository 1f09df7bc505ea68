import { test, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { ADMIN, signIn } from "../../e2e/support/portal";
import { createInvite, finishSandboxSignup, openConnectPopup, setOnboarding, SANDBOX_HUB, suffix, uniquePhone } from "../../e2e/support/onboarding";
import { readBaseUrl } from "../../e2e/support/server-state";

// First-load JavaScript of the four pages a client or a partner's staff opens first, measured in Chromium from a
// production build: every script the page loaded until its `load` event (Next.js' scripts are async, so they all
// delay it), in a new browser context each time (empty cache). "encoded" is what crossed the wire (the server's
// gzip), "decoded" the JavaScript the browser parsed. Chunks a page loads later (after a click) are not counted.

type Row = { page: string; path: string; scripts: number; encoded: number; decoded: number; encodings: string };

async function measure(browser: Browser, label: string, path: string, storageState?: Awaited<ReturnType<BrowserContext["storageState"]>>): Promise<Row> {
  const context = await browser.newContext({ baseURL: readBaseUrl(), ...(storageState ? { storageState } : {}) });
  try {
    const page = await context.newPage();
    const encodings = new Set<string>();
    page.on("response", (response) => {
      if (new URL(response.url()).pathname.endsWith(".js")) encodings.add(response.headers()["content-encoding"] ?? "identity");
    });
    const response = await page.goto(path, { waitUntil: "load" });
    expect(response?.status(), `${label}: ${path}`).toBe(200);
    const entries = await page.evaluate(() =>
      performance.getEntriesByType("resource").map((e) => {
        const r = e as PerformanceResourceTiming;
        return { name: r.name, encoded: r.encodedBodySize, decoded: r.decodedBodySize };
      }),
    );
    const scripts = entries.filter((e) => new URL(e.name).pathname.endsWith(".js"));
    return {
      page: label,
      path,
      scripts: scripts.length,
      encoded: scripts.reduce((s, e) => s + e.encoded, 0),
      decoded: scripts.reduce((s, e) => s + e.decoded, 0),
      encodings: [...encodings].join(", "),
    };
  } finally {
    await context.close();
  }
}

const kB = (bytes: number) => (bytes / 1000).toFixed(1);

test("first-load JavaScript of /, /join/<token>, the status page and the Overview", async ({ browser, page }) => {
  // The fresh portal: its first admin (as e2e/setup.spec.ts makes it), then the pages' data through the UI.
  await page.goto("/setup");
  await page.getByLabel("Your name", { exact: true }).fill(ADMIN.name);
  await page.getByLabel("Email", { exact: true }).fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Repeat the password", { exact: true }).fill(ADMIN.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page).toHaveURL(/\/login\?created=1$/);
  await signIn(page, ADMIN.email, ADMIN.password);
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  const admin = await page.context().storageState();

  // The official Connect Button on the client pages (the heavier of the two triggers).
  await setOnboarding(page, SANDBOX_HUB, { trigger: "connect_button" });
  const join = new URL(await createInvite(page, { label: `first-load ${suffix()}` })).pathname;

  // A status page: one client goes through the sandbox's signup from the invite.
  const client: Page = await (await browser.newContext({ baseURL: readBaseUrl() })).newPage();
  await client.goto(join);
  const popup = await openConnectPopup(client);
  await finishSandboxSignup(popup, { email: `first-load-${suffix()}@example.com`, fullName: "First Load", company: "First Load GmbH", phone: uniquePhone() });
  await expect(client).toHaveURL(/\/onboarding\/status\/[A-Za-z0-9_-]{43}$/, { timeout: 30_000 });
  const status = new URL(client.url()).pathname;
  await client.context().close();

  const rows = [
    await measure(browser, "client landing", "/"),
    await measure(browser, "invite landing", join),
    await measure(browser, "status page", status),
    await measure(browser, "Overview (signed in)", "/dashboard", admin),
  ];
  const table = [
    "| page | path | scripts | first-load JS, encoded (kB) | decoded (kB) | encoding |",
    "| --- | --- | ---: | ---: | ---: | --- |",
    ...rows.map((r) => `| ${r.page} | ${r.path.replace(/[A-Za-z0-9_-]{20,}/, "<token>")} | ${r.scripts} | ${kB(r.encoded)} | ${kB(r.decoded)} | ${r.encodings} |`),
  ].join("\n");
  console.log(`\nFirst-load JavaScript (kB = 1,000 bytes), Chromium, production build:\n\n${table}\n`);
});
