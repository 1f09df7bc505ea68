import path from "node:path";
import { defineConfig } from "vitest/config";
import { isPostgresStartupTypesError } from "./lib/process-guards";

const root = import.meta.dirname;
const alias = {
  "@": root,
  "server-only": path.join(root, "test/empty-module.ts"),
};

export default defineConfig({
  resolve: { alias },
  test: {
    // What the portal and the worker forgive (lib/process-guards.ts) fails no test run either: postgres.js's
    // uncatchable rejection when a new connection's set-up fails, as it may while test/proofs restart PostgreSQL.
    // test/proofs/startup-types.db.test.ts proves the processes survive it; anything else still fails the run.
    onUnhandledError: (error) => (isPostgresStartupTypesError(error) ? false : undefined),
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "db/**/*.test.ts", "sandbox/**/*.test.ts", "scripts/**/*.test.ts", "test/**/*.test.ts", "app/**/*.test.ts"],
          exclude: ["**/*.db.test.ts", "node_modules/**"],
          environment: "node",
          // A ceiling for the property tests (10,000 runs) on a busy 2-core machine, not a speed target.
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "db",
          include: ["**/*.db.test.ts"],
          exclude: ["node_modules/**"],
          environment: "node",
          globalSetup: ["test/db/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
