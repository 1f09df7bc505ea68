import "server-only";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { getEnv } from "./env";
import { processSlots as slots } from "./process-slots";

// One handle per process (lib/process-slots.ts): PGlite must be opened exactly once.

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
  slots.db ??= openAndMigrate().catch((error: unknown) => {
    slots.db = undefined;
    throw error;
  });
  return slots.db;
}

export async function getDb() {
  return (await getDatabaseHandle()).db;
}
