import "server-only";
import { getDatabaseHandle } from "./db";
import { bootstrapHubFromEnv, ensureSandboxHub } from "./hub-config/settings";
import { jobRegistry } from "./job-registry";
import { startJobsInProcess } from "./jobs/start";
import { ConfigError, getEnv } from "./env";
import { logger } from "./log";
import { installLightPageData } from "./onboarding/light-load";

/**
 * Runs once when a portal server starts (instrumentation.ts): refuse to run on bad configuration (docs/security.md R21), then
 * open the database and apply migrations so the first request finds the schema in place.
 */
export async function boot(): Promise<void> {
  let env;
  try {
    env = getEnv();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`[portal] cannot start: ${message}`);
    process.exit(1);
  }
  if (env.NEXT_PHASE === "phase-production-build") return;
  // Before the first request: the light client pages (Pages Router) read their data through this slot.
  installLightPageData();
  try {
    const handle = await getDatabaseHandle();
    logger("boot").info({ db: handle.driver }, "database ready, migrations applied");
    await bootstrapHubFromEnv(env);
    if (env.sandboxEnabled) await ensureSandboxHub(env.sandboxUrl);
    await startJobsInProcess(jobRegistry);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    console.error(`[portal] cannot open the database: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
