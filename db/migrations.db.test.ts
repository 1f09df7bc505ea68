import { readFileSync } from "node:fs";
import path from "node:path";
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { committedSchema, generateAgainstCommitted, schemaCopy } from "@/test/db/drizzle-kit";
import { drivers, forEachDatabase, freshDatabase, selectRows, unavailableReason } from "@/test/db/databases";
import type { Database } from "./client";
import { migrateDatabase, migrationsFolder } from "./migrate";
import * as schema from "./schema";

const schemaTables = Object.values(schema as Record<string, unknown>)
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableName(table))
  .sort();

const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
  entries: unknown[];
};

async function publicTables(db: Database): Promise<string[]> {
  const rows = await selectRows<{ tablename: string }>(
    db,
    sql`select tablename from pg_tables where schemaname = 'public' order by tablename`,
  );
  return rows.map((r) => r.tablename);
}

async function appliedMigrations(db: Database): Promise<number> {
  const [row] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return row?.n ?? 0;
}

/** Awaits a query that must fail and returns the PostgreSQL error (drizzle wraps it in `cause`). */
async function violation(query: PromiseLike<unknown>): Promise<{ code: string; message: string }> {
  try {
    await query;
  } catch (error) {
    for (let e: unknown = error; e instanceof Error; e = e.cause) {
      if ("code" in e && typeof e.code === "string") return { code: e.code, message: e.message };
    }
    throw error;
  }
  throw new Error("expected the query to violate a constraint, but it succeeded");
}

const uniqueViolation = "23505";
const checkViolation = "23514";
const unique = () => Math.random().toString(36).slice(2, 10);

async function insertHub(db: Database) {
  const [hub] = await db
    .insert(schema.hubs)
    .values({ name: "Hub", partnerId: `p_${unique()}`, partnerApiBaseUrl: "https://hub.test", ioBaseUrl: "https://io.test" })
    .returning();
  if (!hub) throw new Error("hub insert returned nothing");
  return hub;
}

describe("migrations on an empty database", () => {
  for (const driver of drivers) {
    const skipReason = unavailableReason(driver);
    const title = `apply, and applying again is a no-op [${driver}]${skipReason ? ` (skipped: ${skipReason})` : ""}`;
    (skipReason ? it.skip : it)(title, async () => {
      const { handle, url, dispose } = await freshDatabase(driver, { migrate: false });
      try {
        expect(await publicTables(handle.db)).toEqual([]);
        await migrateDatabase(handle, url ?? undefined);
        const tables = await publicTables(handle.db);
        expect(await appliedMigrations(handle.db)).toBe(journal.entries.length);

        await migrateDatabase(handle, url ?? undefined);
        expect(await publicTables(handle.db)).toEqual(tables);
        expect(await appliedMigrations(handle.db)).toBe(journal.entries.length);
      } finally {
        await dispose();
      }
    });
  }
});

forEachDatabase("migrated schema", (ctx) => {
  it("has every table of db/schema.ts and no others", async () => {
    expect(schemaTables.length).toBeGreaterThan(0);
    expect(await publicTables(ctx.get().db)).toEqual(schemaTables);
  });

  for (const [label, table] of [
    ["clients", schema.clients],
    ["channels", schema.channels],
  ] as const) {
    it(`${label}: an external id is unique per hub, not globally`, async () => {
      const { db } = ctx.get();
      const [hubA, hubB] = [await insertHub(db), await insertHub(db)];
      const externalId = `ext_${unique()}`;
      await db.insert(table).values({ hubId: hubA.id, externalId });
      await db.insert(table).values({ hubId: hubB.id, externalId });

      const error = await violation(db.insert(table).values({ hubId: hubA.id, externalId }));
      expect(error.code).toBe(uniqueViolation);
      expect(error.message).toContain(`${label}_hub_external_uq`);
    });
  }

  it("users: email is unique", async () => {
    const { db } = ctx.get();
    const email = `u_${unique()}@example.com`;
    await db.insert(schema.users).values({ email });
    const error = await violation(db.insert(schema.users).values({ email }));
    expect(error.code).toBe(uniqueViolation);
    expect(error.message).toContain("users_email_uq");
  });

  it("users: email must be lower-case", async () => {
    const { db } = ctx.get();
    const error = await violation(db.insert(schema.users).values({ email: `Mixed_${unique()}@Example.com` }));
    expect(error.code).toBe(checkViolation);
    expect(error.message).toContain("users_email_lower");
  });
});

describe("committed migrations match db/schema.ts", () => {
  it("drizzle-kit generate finds no schema changes", async () => {
    const result = await generateAgainstCommitted(committedSchema);
    expect(result.newMigrations, result.output).toEqual([]);
    expect(result.output).toContain("No schema changes");
  });

  // Guards the check above against passing vacuously (wrong flags, wrong folder, swallowed errors).
  it("a schema change without a migration is detected", async () => {
    const anchor = 'key: text("key").primaryKey(),';
    const source = readFileSync(committedSchema, "utf8");
    expect(source).toContain(anchor);
    const drifted = schemaCopy(source, (text) => text.replace(anchor, `${anchor} driftProbe: text("drift_probe"),`));
    try {
      const result = await generateAgainstCommitted(drifted.file);
      expect(result.output).not.toContain("No schema changes");
      expect(result.newMigrations, result.output).toHaveLength(1);
      expect(result.newMigrations[0]?.sql).toContain('ALTER TABLE "auth_throttle" ADD COLUMN "drift_probe"');
    } finally {
      drifted.remove();
    }
  });
});
