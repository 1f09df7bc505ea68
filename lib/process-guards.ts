// postgres.js 3.4.9 can throw from a socket callback when the database dies mid-write (porsager/postgres#1154):
// nothing can catch it, and it must not take the process down with it. Anything else still ends the process.
// Shared by server.ts and scripts/worker.ts; no "server-only" here, both load it as plain modules.

/** True for postgres.js's mid-write TypeError, which it recovers from by reconnecting. */
export function isPostgresMidWriteError(error: unknown): boolean {
  return (
    error instanceof TypeError && /reading 'write'/.test(error.message) && /postgres[\\/]src[\\/]connection/.test(error.stack ?? "")
  );
}

/** Installs the process's uncaughtException handler; `name` prefixes its console lines ("worker", "portal"). */
export function guardAgainstPostgresMidWriteErrors(name: string): void {
  process.on("uncaughtException", (error) => {
    if (isPostgresMidWriteError(error)) {
      console.error(`[${name}] the database connection broke mid-write; postgres.js reconnects`);
      return;
    }
    console.error(`[${name}] fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}
