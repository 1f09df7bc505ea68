import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { hubs, type Hub } from "../schema";

export type NewHub = typeof hubs.$inferInsert;

export async function listHubs({ db }: { db: Executor }): Promise<Hub[]> {
  return db.select().from(hubs).orderBy(asc(hubs.createdAt), asc(hubs.id));
}

export async function findHubById({ db, id }: { db: Executor; id: string }): Promise<Hub | undefined> {
  const [row] = await db.select().from(hubs).where(eq(hubs.id, id)).limit(1);
  return row;
}

export async function findHubByPartnerId({ db, partnerId }: { db: Executor; partnerId: string }): Promise<Hub | undefined> {
  const [row] = await db.select().from(hubs).where(eq(hubs.partnerId, partnerId)).limit(1);
  return row;
}

export async function insertHub({ db, hub }: { db: Executor; hub: NewHub }): Promise<Hub> {
  const [row] = await db.insert(hubs).values(hub).returning();
  if (!row) throw new Error("insertHub returned no row");
  return row;
}

/** Inserts the hub unless one with its partner id exists; returns whichever row is stored. */
export async function insertHubIfAbsent({ db, hub }: { db: Executor; hub: NewHub }): Promise<Hub> {
  await db.insert(hubs).values(hub).onConflictDoNothing({ target: hubs.partnerId });
  const row = await findHubByPartnerId({ db, partnerId: hub.partnerId });
  if (!row) throw new Error("insertHubIfAbsent found no row");
  return row;
}

export async function updateHub({ db, id, set }: { db: Executor; id: string; set: Partial<NewHub> }): Promise<Hub | undefined> {
  const [row] = await db
    .update(hubs)
    .set({ ...set, updatedAt: sql`now()` })
    .where(eq(hubs.id, id))
    .returning();
  return row;
}
