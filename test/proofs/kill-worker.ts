import { provisionApiKey } from "@/lib/channels/api-keys";
import { getDatabaseHandle, getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { jobHandlers } from "@/lib/job-registry";
import { createJobRunner } from "@/lib/jobs/runner";
import { postgresJobListener } from "@/lib/jobs/start";
import type { JobHandlers } from "@/lib/jobs/types";
import { logger } from "@/lib/log";

/*
 * A job worker for test/proofs/worker-kill.db.test.ts: the real runner and handlers on DATABASE_URL, with a 3 s
 * lease. With --kill-after-generate, the API-key job SIGKILLs this process right after 360dialog answered the key
 * call and before the transaction storing the key commits (docs/security.md R8).
 * Run: node --conditions=react-server --import tsx test/proofs/kill-worker.ts [--kill-after-generate]
 */

const LEASE_SECONDS = 3;
const killAfterGenerate = process.argv.includes("--kill-after-generate");

const dying: JobHandlers["api_key.provision"] = async (job) => {
  await provisionApiKey(job.payload, {
    afterGenerate: () => {
      process.kill(process.pid, "SIGKILL");
    },
  });
};

const handle = await getDatabaseHandle();
const runner = createJobRunner({
  getDb,
  handlers: killAfterGenerate ? { ...jobHandlers, "api_key.provision": dying } : jobHandlers,
  concurrency: 1,
  pollMs: 200,
  leaseSeconds: LEASE_SECONDS,
  log: logger("jobs"),
  listen: postgresJobListener(getEnv().DATABASE_URL!),
});
await runner.start();
process.stdout.write(`${JSON.stringify({ proofReady: runner.workerId })}\n`);

process.once("SIGTERM", () => {
  void runner
    .stop()
    .then(() => handle.close())
    .finally(() => process.exit(0));
});
