import { openDatabase } from "./client";
import { databaseSettings } from "./lib-deps";
import { migrateDatabase } from "./migrate";

// npm run db:migrate: apply the committed migrations in drizzle/ to the configured database.
const settings = databaseSettings();
const handle =
  settings.driver === "postgres"
    ? await openDatabase({ driver: "postgres", url: settings.url! })
    : await openDatabase({ driver: "pglite", dataDir: settings.pgliteDir });
try {
  await migrateDatabase(handle, settings.url);
  console.info(`[db] migrations applied (${handle.driver}${handle.driver === "pglite" ? `: ${settings.pgliteDir}` : ""})`);
} finally {
  await handle.close();
}
