import "server-only";
import { and, desc, eq, getTableColumns, isNull, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { invites, type Invite } from "../schema";

export type NewInvite = typeof invites.$inferInsert;

export async function insertInvite({ db, invite }: { db: Executor; invite: NewInvite }): Promise<Invite> {
  const [row] = await db.insert(invites).values(invite).returning();
  if (!row) throw new Error("insertInvite returned no row");
  return row;
}

export async function findInviteById({ db, id }: { db: Executor; id: string }): Promise<Invite | undefined> {
  const [row] = await db.select().from(invites).where(eq(invites.id, id)).limit(1);
  return row;
}

export async function findInviteByTokenHash({ db, tokenHash }: { db: Executor; tokenHash: string }): Promise<Invite | undefined> {
  const [row] = await db.select().from(invites).where(eq(invites.tokenHash, tokenHash)).limit(1);
  return row;
}

/**
 * Counts one use if the invite is still usable, in one statement: concurrent starts can never take more uses
 * than max_uses (the row lock serialises them and each re-checks the count). Undefined = not usable.
 */
export async function claimInviteUse({ db, id }: { db: Executor; id: string }): Promise<Invite | undefined> {
  const [row] = await db
    .update(invites)
    .set({ useCount: sql`${invites.useCount} + 1` })
    .where(
      and(
        eq(invites.id, id),
        isNull(invites.revokedAt),
        sql`(${invites.expiresAt} is null or ${invites.expiresAt} > now())`,
        sql`(${invites.maxUses} is null or ${invites.useCount} < ${invites.maxUses})`,
      ),
    )
    .returning();
  return row;
}

/** Sets revoked_at once; a second revocation keeps the first time. */
export async function revokeInviteRow({ db, id }: { db: Executor; id: string }): Promise<Invite | undefined> {
  const [row] = await db
    .update(invites)
    .set({ revokedAt: sql`coalesce(${invites.revokedAt}, now())` })
    .where(eq(invites.id, id))
    .returning();
  return row;
}

export type InviteProgress = {
  sessions: number;
  latestEventKind: string | null;
  latestEventAt: Date | null;
  clientLinked: boolean;
  channelsLinked: number;
};

export type InviteWithProgress = Invite & InviteProgress;

/** created_at as PostgreSQL prints it (microseconds kept), plus the id: the keyset of the invite list. */
export type InviteCursor = { createdAt: string; id: string };

export async function listInvitesWithProgress({
  db,
  hubId,
  after,
  limit,
}: {
  db: Executor;
  hubId?: string;
  after?: InviteCursor;
  limit: number;
}): Promise<{ rows: InviteWithProgress[]; next: InviteCursor | null }> {
  const where: SQL[] = [];
  if (hubId) where.push(eq(invites.hubId, hubId));
  if (after) where.push(sql`(${invites.createdAt}, ${invites.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
  // Qualified by hand: drizzle prints a bare "id" inside these subqueries, which would bind to the inner table.
  const inviteId = sql.raw(`"invites"."id"`);
  const latest = sql`(select e.kind || '|' || to_char(e.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
      from onboarding_events e where e.invite_id = ${inviteId} order by e.at desc, e.id desc limit 1)`;
  const rows = await db
    .select({
      ...getTableColumns(invites),
      cursor: sql<string>`${invites.createdAt}::text`,
      sessions: sql<number>`(select count(*) from onboarding_sessions s where s.invite_id = ${inviteId})`.mapWith(Number),
      latest: sql<string | null>`${latest}`,
      clientLinked: sql<boolean>`exists (select 1 from onboarding_sessions s where s.invite_id = ${inviteId} and s.client_id is not null)`,
      channelsLinked: sql<number>`(select coalesce(sum(jsonb_array_length(s.channel_external_ids)), 0) from onboarding_sessions s
          where s.invite_id = ${inviteId} and s.status = 'completed')`.mapWith(Number),
    })
    .from(invites)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(invites.createdAt), desc(invites.id))
    .limit(limit + 1);
  const more = rows.length > limit;
  const page = (more ? rows.slice(0, limit) : rows).map(({ cursor: _cursor, latest: latestText, ...row }) => {
    const bar = latestText ? latestText.lastIndexOf("|") : -1;
    return {
      ...row,
      clientLinked: Boolean(row.clientLinked),
      latestEventKind: latestText && bar > 0 ? latestText.slice(0, bar) : null,
      latestEventAt: latestText && bar > 0 ? new Date(latestText.slice(bar + 1)) : null,
    };
  });
  const last = more ? rows[limit - 1] : undefined;
  return { rows: page, next: last ? { createdAt: last.cursor, id: last.id } : null };
}
