import { getEnv } from "@/lib/env";
import { openDatabase } from "./client";
import { migrateDatabase } from "./migrate";

// npm run db:migrate: apply the committed migrations in drizzle/ to the configured database.
const env = getEnv();
const handle =
  env.dbDriver === "postgres"
    ? await openDatabase({ driver: "postgres", url: env.DATABASE_URL! })
    : await openDatabase({ driver: "pglite", dataDir: env.PGLITE_DIR });
try {
  await migrateDatabase(handle, env.DATABASE_URL);
  console.info(`[db] migrations applied (${handle.driver}${handle.driver === "pglite" ? `: ${env.PGLITE_DIR}` : ""})`);
} finally {
  await handle.close();
}
