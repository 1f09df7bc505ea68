import { getDatabaseHandle } from "@/lib/db";
import { ConfigError, getEnv } from "@/lib/env";
import { jobRegistry } from "@/lib/job-registry";
import { createJobRunnerFromEnv } from "@/lib/jobs/start";
import { guardAgainstPostgresDriverErrors } from "@/lib/process-guards";

// npm run worker: the job runner alone, for scale-out beside portal instances (set JOBS_IN_PROCESS=false there
// to keep jobs out of the web processes). Stops on SIGTERM/SIGINT after the jobs in hand finish.

function fatal(message: string): never {
  console.error(`[worker] cannot start: ${message}`);
  process.exit(1);
}

// postgres.js 3.4.9's uncatchable errors when the database dies under a connection (porsager/postgres#1154, #1192)
// must not take the worker down (lib/process-guards.ts).
guardAgainstPostgresDriverErrors("worker");

let env;
try {
  env = getEnv();
} catch (error) {
  fatal(error instanceof ConfigError ? error.message : String(error));
}

const handle = await getDatabaseHandle().catch((error: unknown) =>
  fatal(`cannot open the database: ${error instanceof Error ? error.message : String(error)}`),
);
const runner = await createJobRunnerFromEnv(jobRegistry, env);
await runner.start();
console.info(`[worker] ${runner.workerId} running jobs (database: ${handle.driver}, concurrency ${env.JOBS_CONCURRENCY})`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // A second signal means now: jobs in hand are re-run by another worker once their lease runs out (docs/security.md R8).
    if (stopping) process.exit(1);
    stopping = true;
    console.info(`[worker] ${signal}: finishing the jobs in hand`);
    void runner
      .stop()
      .then(() => handle.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`[worker] unclean stop: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
  });
}
