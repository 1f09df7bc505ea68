import "server-only";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { getEnv } from "./env";

// One handle per process. Kept on globalThis because Next.js may load this module more than once
// (instrumentation, route handlers, server components), and PGlite must be opened exactly once.
const slot = globalThis as unknown as { __portalDb?: Promise<DatabaseHandle> };

async function openAndMigrate(): Promise<DatabaseHandle> {
  const env = getEnv();
  const handle =
    env.dbDriver === "postgres"
      ? await openDatabase({
          driver: "postgres",
          url: env.DATABASE_URL!,
          poolMax: env.DB_POOL_MAX,
          connectTimeoutSeconds: env.DB_CONNECT_TIMEOUT_S,
        })
      : await openDatabase({ driver: "pglite", dataDir: env.PGLITE_DIR });
  await migrateDatabase(handle, env.DATABASE_URL);
  return handle;
}

export function getDatabaseHandle(): Promise<DatabaseHandle> {
  slot.__portalDb ??= openAndMigrate().catch((error: unknown) => {
    slot.__portalDb = undefined;
    throw error;
  });
  return slot.__portalDb;
}

export async function getDb() {
  return (await getDatabaseHandle()).db;
}
