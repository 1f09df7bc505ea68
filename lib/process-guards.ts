// Two defects of postgres.js 3.4.9 raise errors that no caller can catch, when the database dies or restarts under
// a connection. Neither may take the process down; anything else still does. Shared by server.ts and
// scripts/worker.ts; no "server-only" here, both load it as plain modules (and vitest.config.ts, for the db tests).
//
// 1. porsager/postgres#1154: a TypeError thrown from a socket callback when the socket dies under a queued write.
// 2. porsager/postgres#1192 (also #1205, #1223): every new connection first reads the array types
//    (`select b.oid, b.typarray from pg_catalog.pg_type …`) from a promise nobody awaits. When that query fails (the
//    connect timeout fires, the server restarts or cancels it), the rejection is unhandled. The caller's own query
//    fails or succeeds on its own terms, and the pool connects again for the next one.

/** True for postgres.js's mid-write TypeError, which it recovers from by reconnecting. */
export function isPostgresMidWriteError(error: unknown): boolean {
  return (
    error instanceof TypeError && /reading 'write'/.test(error.message) && /postgres[\\/]src[\\/]connection/.test(error.stack ?? "")
  );
}

// The text of postgres.js's own array-types query, which it attaches to the error as `query` (src/connection.js).
const ARRAY_TYPES_QUERY = /^\s*select b\.oid, b\.typarray\s+from pg_catalog\.pg_type a\s+left join pg_catalog\.pg_type b on b\.oid = a\.typelem\s+where a\.typcategory = 'A'/;

/** True for the failure of the array-types query postgres.js runs first on a new connection (porsager/postgres#1192). */
export function isPostgresStartupTypesError(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("query" in error)) return false;
  const query = (error as { query: unknown }).query;
  return typeof query === "string" && ARRAY_TYPES_QUERY.test(query);
}

const describeError = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

/**
 * Installs the process's uncaughtException and unhandledRejection handlers; `name` prefixes their console lines
 * ("worker", "portal"). Any other uncaught exception ends the process. Any other unhandled rejection ends it too
 * when no one else listens (Node's own default); in the portal Next.js listens, and logs it, as it always did.
 */
export function guardAgainstPostgresDriverErrors(name: string): void {
  process.on("uncaughtException", (error) => {
    if (isPostgresMidWriteError(error)) {
      console.error(`[${name}] the database connection broke mid-write; postgres.js reconnects`);
      return;
    }
    console.error(`[${name}] fatal: ${describeError(error)}`);
    process.exit(1);
  });
  const onRejection = (reason: unknown) => {
    if (isPostgresStartupTypesError(reason)) {
      const code = typeof reason === "object" && reason !== null && "code" in reason ? ` (${String(reason.code)})` : "";
      console.error(`[${name}] a new database connection failed while it was being set up${code}; postgres.js connects again`);
      return;
    }
    if (process.listeners("unhandledRejection").some((listener) => listener !== onRejection)) return;
    console.error(`[${name}] fatal: unhandled rejection: ${describeError(reason)}`);
    process.exit(1);
  };
  process.on("unhandledRejection", onRejection);
}
