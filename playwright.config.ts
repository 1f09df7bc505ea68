import { defineConfig } from "@playwright/test";
import { readBaseUrl } from "./e2e/support/server-state";

// End-to-end suite: a production build of the portal on a fresh embedded database for every run.
// e2e/global-setup.ts builds (unless E2E_SKIP_BUILD=1), starts `tsx server.ts` on a free port (or E2E_PORT)
// with a new temp DATA_DIR, waits for /api/health and shares the URL through process.env and a state file;
// the function it returns stops the server and removes the data.
//
// The main process evaluates this file before global setup runs, so baseURL is undefined there; the workers
// evaluate it again after global setup, which is where baseURL is used.

const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

export default defineConfig({
  testDir: "./e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "./test-results",
  globalSetup: "./e2e/global-setup.ts",
  // Two cores: one worker, files one after another.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"]],
  timeout: 30_000,
  expect: { timeout: 7_500 },
  use: {
    baseURL: readBaseUrl(),
    browserName: "chromium",
    headless: true,
    trace: "off",
    screenshot: "only-on-failure",
    video: "off",
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    // Creates the first admin through the UI; every other file signs in as that admin.
    { name: "setup", testMatch: "setup.spec.ts" },
    { name: "portal", testIgnore: "setup.spec.ts", dependencies: ["setup"] },
  ],
});
