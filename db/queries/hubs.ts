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

/**
 * Counts one number's template sync into the hub's running "Sync now" (last_runs.templateSync) in one statement,
 * so concurrent jobs never lose each other's counts; the run is "done" once every queued number has reported.
 * Nothing happens when no run is in progress (scheduled syncs are not shown as runs).
 */
export async function countTemplateSyncIntoRun({
  db,
  hubId,
  outcome,
}: {
  db: Executor;
  hubId: string;
  outcome: { ok: boolean; changed: number; error?: string };
}): Promise<void> {
  const failed = outcome.ok ? 0 : 1;
  const error = outcome.error ?? null;
  await db.execute(sql`
    update hubs set last_runs = jsonb_set(last_runs, '{templateSync}', r.next)
    from (
      select h.id, (h.last_runs->'templateSync') || jsonb_build_object(
        'done', coalesce((h.last_runs#>>'{templateSync,done}')::int, 0) + ${1 - failed}::int,
        'failed', coalesce((h.last_runs#>>'{templateSync,failed}')::int, 0) + ${failed}::int,
        'changed', coalesce((h.last_runs#>>'{templateSync,changed}')::int, 0) + ${outcome.changed}::int,
        'errors', case when ${error}::text is null or jsonb_array_length(coalesce(h.last_runs#>'{templateSync,errors}', '[]'::jsonb)) >= 10
                  then coalesce(h.last_runs#>'{templateSync,errors}', '[]'::jsonb)
                  else (coalesce(h.last_runs#>'{templateSync,errors}', '[]'::jsonb) || to_jsonb(${error}::text)) end,
        'state', case when coalesce((h.last_runs#>>'{templateSync,done}')::int, 0) + coalesce((h.last_runs#>>'{templateSync,failed}')::int, 0) + 1
                          >= coalesce((h.last_runs#>>'{templateSync,total}')::int, 2147483647)
                      then (case when coalesce((h.last_runs#>>'{templateSync,failed}')::int, 0) + ${failed}::int > 0 then 'failed' else 'done' end)
                      else 'running' end,
        'at', to_jsonb(now())
      ) as next
      from hubs h where h.id = ${hubId}::uuid and h.last_runs#>>'{templateSync,state}' = 'running' for update
    ) r
    where hubs.id = r.id`);
}

/** Sets how many numbers a running "Sync now" queued (known only after queueing), finishing it if all reported already. */
export async function setTemplateSyncTotal({ db, hubId, jobId, total }: { db: Executor; hubId: string; jobId: string; total: number }): Promise<void> {
  await db.execute(sql`
    update hubs set last_runs = jsonb_set(last_runs, '{templateSync}', (last_runs->'templateSync') || jsonb_build_object(
      'total', ${total}::int,
      'state', case when coalesce((last_runs#>>'{templateSync,done}')::int, 0) + coalesce((last_runs#>>'{templateSync,failed}')::int, 0) >= ${total}::int
                    then (case when coalesce((last_runs#>>'{templateSync,failed}')::int, 0) > 0 then 'failed' else 'done' end)
                    else 'running' end,
      'at', to_jsonb(now())))
    where id = ${hubId}::uuid and last_runs#>>'{templateSync,jobId}' = ${jobId}`);
}
