import "server-only";
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The one database type the app codes against: PGlite and postgres.js both satisfy it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** A database or an open transaction: query functions accept either. */
export type Executor = Database | Transaction;

export type DatabaseHandle = {
  db: Database;
  driver: "pglite" | "postgres";
  close: () => Promise<void>;
  /** PGlite only: its own LISTEN (one connection, so live updates must use it); resolves to an unlisten. */
  listen?: (channel: string, callback: (payload: string) => void) => Promise<() => Promise<void>>;
};

export type DatabaseConfig =
  | { driver: "postgres"; url: string; poolMax?: number; connectTimeoutSeconds?: number }
  | {
      driver: "pglite";
      dataDir: string | null;
      /** Start from this data directory (a PGlite dumpDataDir), e.g. an already migrated one in tests. */
      loadDataDir?: Blob;
    };

export async function openDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  if (config.driver === "postgres") {
    const sql = postgres(config.url, {
      max: config.poolMax ?? 10,
      // Short connect timeout: a webhook must get its 503 well inside 360dialog's 5 s (docs/security.md R4).
      connect_timeout: config.connectTimeoutSeconds ?? 2,
      idle_timeout: 60,
      onnotice: () => {},
    });
    const db = drizzlePostgres({ client: sql, schema }) as unknown as Database;
    return { db, driver: "postgres", close: () => sql.end({ timeout: 5 }) };
  }
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
  // dataDir null = in memory (tests).
  const client = new PGlite({ ...(config.dataDir ? { dataDir: config.dataDir } : {}), ...(config.loadDataDir ? { loadDataDir: config.loadDataDir } : {}) });
  await client.waitReady;
  const db = drizzlePglite({ client, schema }) as unknown as Database;
  return {
    db,
    driver: "pglite",
    close: () => client.close(),
    listen: async (channel, callback) => {
      const unlisten = await client.listen(channel, callback);
      return () => unlisten();
    },
  };
}
