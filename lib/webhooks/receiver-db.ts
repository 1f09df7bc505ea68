import "server-only";
import postgres, { type Sql } from "postgres";
import { getEnv } from "../env";
import { processSlots as slots } from "../process-slots";

// The webhook receiver's own small pool on PostgreSQL. Its statement timeout and synchronous_commit are
// connection parameters, sent once at connect, and its one statement is prepared once per connection, so a
// delivery costs one round trip where BEGIN, set_config, the statement and COMMIT on the shared pool cost four.
// The shared pool cannot take these parameters: jobs and pages run statements that may legitimately take longer.

/** Bounds every receiver statement, so a stuck database gives the webhook its 503 well inside 360dialog's 5 s (docs/security.md R4). */
export const RECEIVER_STATEMENT_TIMEOUT_MS = 2_000;
// Few: one statement per delivery, each a millisecond or two; more connections only queue inside PostgreSQL.
const POOL_MAX = 5;

// A process slot like lib/db.ts's handle: server.ts's fast path and Next's bundle each load this module, and one pool serves both.

/**
 * The receiver's pool when the portal runs on PostgreSQL (DATABASE_URL), opened on first use; null on PGlite,
 * which has one connection and keeps the transaction path.
 */
export function receiverSql(): Sql | null {
  const env = getEnv();
  const url = env.DATABASE_URL;
  if (!url) return null;
  const current = slots.receiverPool;
  if (current?.url === url) return current.sql;
  // Only tests change DATABASE_URL within a process; the old pool must not linger.
  if (current) void current.sql.end({ timeout: 5 }).catch(() => undefined);
  const sql = postgres(url, {
    max: POOL_MAX,
    connect_timeout: env.DB_CONNECT_TIMEOUT_S,
    idle_timeout: 60,
    prepare: true,
    // No array columns are read: spares each new connection a type query.
    fetch_types: false,
    onnotice: () => {},
    connection: {
      application_name: "portal webhook receiver",
      statement_timeout: RECEIVER_STATEMENT_TIMEOUT_MS,
      // An acknowledged delivery must survive a crash whatever the server's default says (docs/security.md R4).
      synchronous_commit: "on",
    },
  });
  slots.receiverPool = { url, sql };
  return sql;
}

/** Closes the receiver's pool, if open (shutdown, tests); the next delivery opens a new one. */
export async function closeReceiverPool(): Promise<void> {
  const current = slots.receiverPool;
  slots.receiverPool = undefined;
  await current?.sql.end({ timeout: 5 });
}
