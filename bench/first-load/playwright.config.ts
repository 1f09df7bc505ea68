import { defineConfig } from "@playwright/test";
import base from "../../playwright.config";

// `npm run bench:first-load`: the e2e suite's browser and its global setup (a production build of this checkout,
// served by server.ts on a fresh embedded database, with the sandbox hub on 8082), running only the measurement
// below. It shares port 8082 with the e2e suite: never run the two at once.
export default defineConfig({
  ...base,
  testDir: ".",
  testMatch: "first-load.bench.ts",
  outputDir: "../../test-results/first-load",
  globalSetup: "../../e2e/global-setup.ts",
  timeout: 180_000,
  projects: [{ name: "first-load" }],
});
