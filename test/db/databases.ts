import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import postgres from "postgres";
import type { SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, inject } from "vitest";
import { openDatabase, type Database, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";

export type Driver = DatabaseHandle["driver"];

export type FreshDatabase = {
  handle: DatabaseHandle;
  /** The PostgreSQL URL of this database (open more pools on it); null for PGlite. */
  url: string | null;
  /** Closes the handle and, on PostgreSQL, drops the database. */
  dispose: () => Promise<void>;
};

export type DatabaseContext = {
  /** The handle of the current engine's database; only valid inside tests and hooks. */
  get(): DatabaseHandle;
  url(): string | null;
};

export const drivers: readonly Driver[] = ["pglite", "postgres"];

export function postgresAdminUrl(): string | null {
  return inject("postgresAdminUrl");
}

let pgliteSnapshot: Blob | null = null;

/** The migrated PGlite data directory test/db/global-setup.ts wrote, read once per test file. */
function migratedPgliteSnapshot(): Blob | null {
  const file = inject("pgliteSnapshot");
  if (!file) return null;
  pgliteSnapshot ??= new Blob([readFileSync(file)]);
  return pgliteSnapshot;
}

/** Why `driver` cannot run here, or null when it can. */
export function unavailableReason(driver: Driver): string | null {
  return driver === "postgres" && !postgresAdminUrl() ? "no PostgreSQL available" : null;
}

/**
 * A new, empty-or-migrated database: in-memory PGlite, or `t_<random>` on the test PostgreSQL server. A migrated
 * one starts as a copy of the database test/db/global-setup.ts migrated once (PGlite data directory, PostgreSQL
 * template), and migrateDatabase() still runs on it, finding nothing left to apply.
 */
export async function freshDatabase(driver: Driver, options: { migrate?: boolean } = {}): Promise<FreshDatabase> {
  const migrate = options.migrate ?? true;
  if (driver === "pglite") {
    const snapshot = migrate ? migratedPgliteSnapshot() : null;
    const handle = await openDatabase({ driver: "pglite", dataDir: null, ...(snapshot ? { loadDataDir: snapshot } : {}) });
    const dispose = () => handle.close();
    try {
      if (migrate) await migrateDatabase(handle);
    } catch (error) {
      await dispose();
      throw error;
    }
    return { handle, url: null, dispose };
  }

  const adminUrl = postgresAdminUrl();
  if (!adminUrl) throw new Error("freshDatabase('postgres'): no PostgreSQL (see test/db/global-setup.ts)");
  const name = `t_${randomBytes(6).toString("hex")}`;
  const template = migrate ? inject("postgresTemplate") : null;
  await withAdmin(adminUrl, (sql) => (template ? sql`create database ${sql(name)} template ${sql(template)}` : sql`create database ${sql(name)}`));
  const url = databaseUrl(adminUrl, name);
  const handle = await openDatabase({ driver: "postgres", url });
  const dispose = async () => {
    try {
      await handle.close();
    } finally {
      // FORCE: a test that leaked a connection must not leave the database behind.
      await withAdmin(adminUrl, (sql) => sql`drop database if exists ${sql(name)} with (force)`);
    }
  };
  try {
    if (migrate) await migrateDatabase(handle, url);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { handle, url, dispose };
}

/** Registers the same suite once per engine, each with its own freshly migrated database. */
export function forEachDatabase(title: string, body: (ctx: DatabaseContext) => void): void {
  for (const driver of drivers) {
    const skipReason = unavailableReason(driver);
    const register = skipReason ? describe.skip : describe;
    const name = `${title} [${driver}]${skipReason ? ` (skipped: ${skipReason})` : ""}`;

    register(name, () => {
      let current: FreshDatabase | null = null;
      beforeAll(async () => {
        current = await freshDatabase(driver);
      });
      afterAll(async () => {
        await current?.dispose();
        current = null;
      });
      body({
        get: () => {
          if (!current) throw new Error(`${name}: database used outside a test or hook`);
          return current.handle;
        },
        url: () => current?.url ?? null,
      });
    });
  }
}

/** Raw SQL rows on either engine: postgres.js returns an array, PGlite a `{ rows }` result. */
export async function selectRows<T extends Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}

async function withAdmin(adminUrl: string, query: (sql: postgres.Sql) => Promise<unknown>): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await query(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
