import { parseArgs } from "node:util";
import { openDatabase } from "./client";
import { databaseSettings } from "./lib-deps";
import { migrateDatabase } from "./migrate";
import { SEED_USERS, SeedRefusedError, seedDatabase } from "./seed";

// npm run db:seed -- --scale 1000 [--seed 1] [--password <pw>] [--force]
// Seeds the configured database (DATABASE_URL, else the embedded PGlite under DATA_DIR) with one demo partner.

const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "1000" },
    seed: { type: "string", default: "1" },
    password: { type: "string" },
    force: { type: "boolean", default: false },
  },
});

const settings = databaseSettings();
const handle =
  settings.driver === "postgres"
    ? await openDatabase({ driver: "postgres", url: settings.url!, poolMax: 2, connectTimeoutSeconds: 10 })
    : await openDatabase({ driver: "pglite", dataDir: settings.pgliteDir });
let exitCode = 0;
try {
  await migrateDatabase(handle, settings.url);
  const where = handle.driver === "pglite" ? `PGlite in ${settings.pgliteDir}` : "PostgreSQL (DATABASE_URL)";
  console.info(`[seed] scale ${Number(values.scale).toLocaleString("en")} channels, seed ${values.seed}, into ${where}`);
  const result = await seedDatabase(handle.db, {
    scale: Number(values.scale),
    seed: Number(values.seed),
    force: values.force,
    password: values.password,
    log: (line) => console.info(`[seed] ${line}`),
  });
  for (const [table, n] of Object.entries(result.counts)) console.info(`[seed] ${table.padEnd(20)} ${n.toLocaleString("en").padStart(12)}`);
  console.info(`[seed] done in ${result.seconds.toFixed(1)} s; hub "Seed partner" ${result.hubId}`);
  console.info(`[seed] sign in as ${SEED_USERS.map((u) => u.email).join(", ")} with the password: ${result.password}`);
} catch (error) {
  exitCode = 1;
  if (error instanceof SeedRefusedError) console.error(`[seed] REFUSED: ${error.message}`);
  else console.error(`[seed] failed: ${error instanceof Error ? error.stack : String(error)}`);
} finally {
  await handle.close();
}
process.exit(exitCode);
