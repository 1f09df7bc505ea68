import "server-only";
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { clients, type Client } from "../schema";

/** What 360dialog told us about a client; absent fields keep what is stored. */
export type ClientFields = {
  externalId: string;
  name?: string;
  email?: string;
  phone?: string;
  status?: string;
  partnerPayload?: string;
  hubCreatedAt?: Date;
  raw?: Record<string, unknown>;
};

/**
 * Inserts the client of (hub, external id) or fills in what changed. `changed` is false when every given field
 * already held that value: `raw` alone never counts (webhooks and the Partner API describe a client in
 * different shapes), it is only refreshed together with a real change.
 */
export async function upsertClient({
  db,
  hubId,
  client,
}: {
  db: Executor;
  hubId: string;
  client: ClientFields;
}): Promise<{ client: Client; created: boolean; changed: boolean }> {
  const keep = <T>(column: T, value: unknown) => (value === undefined ? column : sql`excluded.${sql.identifier(nameOf(column))}`);
  const [row] = await db
    .insert(clients)
    .values({
      hubId,
      externalId: client.externalId,
      name: client.name ?? "",
      email: client.email ?? null,
      phone: client.phone ?? null,
      status: client.status ?? null,
      partnerPayload: client.partnerPayload ?? null,
      hubCreatedAt: client.hubCreatedAt ?? null,
      raw: client.raw ?? null,
    })
    .onConflictDoUpdate({
      target: [clients.hubId, clients.externalId],
      set: {
        name: keep(clients.name, client.name),
        email: keep(clients.email, client.email),
        phone: keep(clients.phone, client.phone),
        status: keep(clients.status, client.status),
        partnerPayload: keep(clients.partnerPayload, client.partnerPayload),
        hubCreatedAt: keep(clients.hubCreatedAt, client.hubCreatedAt),
        raw: keep(clients.raw, client.raw),
        updatedAt: sql`now()`,
      },
      setWhere: sql`(${clients.name}, ${clients.email}, ${clients.phone}, ${clients.status}, ${clients.partnerPayload}, ${clients.hubCreatedAt})
        is distinct from (${keep(clients.name, client.name)}, ${keep(clients.email, client.email)}, ${keep(clients.phone, client.phone)},
          ${keep(clients.status, client.status)}, ${keep(clients.partnerPayload, client.partnerPayload)}, ${keep(clients.hubCreatedAt, client.hubCreatedAt)})`,
    })
    .returning({ id: clients.id, inserted: sql<boolean>`(xmax = 0)` });
  if (row) {
    const stored = await findClientById({ db, id: row.id });
    if (!stored) throw new Error("upsertClient: row vanished");
    return { client: stored, created: row.inserted, changed: true };
  }
  const stored = await findClientByExternalId({ db, hubId, externalId: client.externalId });
  if (!stored) throw new Error("upsertClient: conflict without a row");
  return { client: stored, created: false, changed: false };
}

function nameOf(column: unknown): string {
  return (column as { name: string }).name;
}

/** The names of these clients, by id (a page's rows name their clients; ids go as one array parameter). */
export async function findClientNames({ db, ids }: { db: Executor; ids: readonly string[] }): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: clients.id, name: clients.name })
    .from(clients)
    .where(sql`${clients.id} = any(${sql.param([...new Set(ids)])}::uuid[])`);
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function findClientById({ db, id }: { db: Executor; id: string }): Promise<Client | undefined> {
  const [row] = await db.select().from(clients).where(eq(clients.id, id)).limit(1);
  return row;
}

export async function findClientByExternalId({
  db,
  hubId,
  externalId,
}: {
  db: Executor;
  hubId: string;
  externalId: string;
}): Promise<Client | undefined> {
  const [row] = await db
    .select()
    .from(clients)
    .where(and(eq(clients.hubId, hubId), eq(clients.externalId, externalId)))
    .limit(1);
  return row;
}

/** Every client of a hub, for reconciliation checks; ordered by external id. */
export async function listClientsOfHub({ db, hubId }: { db: Executor; hubId: string }): Promise<Client[]> {
  return db.select().from(clients).where(eq(clients.hubId, hubId)).orderBy(clients.externalId);
}
