import "server-only";
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
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

/** Raw SQL rows on either engine: postgres.js returns an array, PGlite a `{ rows }` result. */
export async function rowsOf<T>(db: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return Array.isArray(result) ? (result as T[]) : ((result as { rows: T[] }).rows ?? []);
}

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
      // No JIT on the portal's connections: its queries are small index-led reads and writes, and planners price
      // large ranges (a funnel period of 100k sessions, an export) over jit_above_cost, where compiling the plan
      // (50-200 ms measured) costs more than running it (bench/README.md "Dashboard pages"). A startup parameter,
      // so it costs no statement.
      connection: { jit: "off" },
    });
    const db = drizzlePostgres({ client: preparing(sql), schema }) as unknown as Database;
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

type Client = postgres.Sql | postgres.TransactionSql;

/**
 * The client drizzle is given: every query with parameters becomes a named prepared statement of its connection
 * (drizzle sends unnamed ones unless a query is given a name), also inside transactions. PostgreSQL then plans a
 * statement once per connection instead of at every execution, and the dashboard's queries over tables with many
 * partial indexes cost more to plan than to run (bench/README.md "Dashboard pages"). After five executions
 * PostgreSQL keeps a generic plan only where it costs no more than the custom ones (plan_cache_mode auto), and the
 * partial-index predicates are constants in the SQL text (db/queries/channel-store.ts), so a generic plan may use
 * them. Queries without parameters keep the simple protocol. The webhook receiver's pool prepares its statements
 * too, so PgBouncer needs what the README already asks for it (session pooling, or 1.21+ in transaction mode).
 */
function preparing<T extends Client>(client: T): T {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "unsafe") {
        return (query: string, params?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, params, { ...options, prepare: true });
      }
      if (prop === "begin" || prop === "savepoint") {
        // begin(fn), begin(options, fn), savepoint(fn), savepoint(name, fn): the callback's client prepares too.
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.TransactionSql) => unknown;
          const open = Reflect.get(target, prop, target) as (...a: unknown[]) => unknown;
          return open.call(target, ...args, (tx: postgres.TransactionSql) => fn(preparing(tx)));
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

