import { test as base, expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "@playwright/test";
import { readBaseUrl, serverLogTail } from "./server-state";
import { ADMIN, signIn } from "./portal";

type StorageState = Awaited<ReturnType<BrowserContext["storageState"]>>;

type WorkerFixtures = {
  /** Cookies of a signed-in session of the first admin (created by setup.spec.ts), made once per worker. */
  adminState: StorageState;
};

type TestFixtures = {
  /** A page in its own context, signed in as the first admin. */
  adminPage: Page;
  /** Opens another browser context (another person); closed after the test. */
  newContext: (options?: BrowserContextOptions) => Promise<BrowserContext>;
  /** Prints and attaches the server log tail when a test fails. */
  serverLogOnFailure: void;
  /** Fails a test during which any page reported a CSP violation. */
  cspGuard: void;
};

function baseURLOrThrow(): string {
  const url = readBaseUrl();
  if (!url) throw new Error("E2E_BASE_URL is not set: the suite must run through playwright.config.ts (global setup).");
  return url;
}

/** Every Content-Security-Policy violation any page reports during the run (docs/security.md R28: must stay empty). */
const cspViolations: string[] = [];

function watchCsp(context: BrowserContext): BrowserContext {
  context.on("console", (msg) => {
    if (msg.type() === "error" && /Content Security Policy/i.test(msg.text())) cspViolations.push(`${msg.location().url}: ${msg.text()}`);
  });
  return context;
}

async function openContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return watchCsp(await browser.newContext({ baseURL: baseURLOrThrow(), ...options }));
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  adminState: [
    async ({ browser }, use) => {
      const context = await openContext(browser);
      const page = await context.newPage();
      await signIn(page, ADMIN.email, ADMIN.password);
      await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
      const state = await context.storageState();
      await context.close();
      await use(state);
    },
    { scope: "worker" },
  ],

  newContext: async ({ browser }, use) => {
    const opened: BrowserContext[] = [];
    await use(async (options) => {
      const context = await openContext(browser, options);
      opened.push(context);
      return context;
    });
    await Promise.all(opened.map((c) => c.close()));
  },

  adminPage: async ({ newContext, adminState }, use) => {
    const context = await newContext({ storageState: adminState });
    await use(await context.newPage());
  },

  context: async ({ context }, use) => {
    await use(watchCsp(context));
  },

  cspGuard: [
    async ({}, use) => {
      const before = cspViolations.length;
      await use();
      expect(cspViolations.slice(before), "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],

  serverLogOnFailure: [
    async ({}, use, testInfo) => {
      await use();
      if (testInfo.status !== testInfo.expectedStatus) {
        const log = serverLogTail(60);
        await testInfo.attach("server-log-tail", { body: log, contentType: "text/plain" });
        console.log(`\n----- portal server log (last lines) for "${testInfo.title}" -----\n${log}\n-----`);
      }
    },
    { auto: true },
  ],
});

export { expect };
