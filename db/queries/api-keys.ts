import "server-only";
import { and, desc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { apiKeys, type ApiKey } from "../schema";

/**
 * The once-per-grant claim (docs/security.md R6): a `pending` row for (channel, grant), or nothing when one exists already.
 * Autocommitted on its own, so a crash later leaves the claim behind as `pending` for the retry to find.
 */
export async function claimApiKeyGrant({
  db,
  hubId,
  channelId,
  grantId,
  createdBy,
}: {
  db: Executor;
  hubId: string;
  channelId: string;
  grantId: string;
  createdBy?: string | null;
}): Promise<{ claimed: boolean }> {
  const rows = await db
    .insert(apiKeys)
    .values({ hubId, channelId, grantId, status: "pending", createdBy: createdBy ?? null })
    .onConflictDoNothing({ target: [apiKeys.channelId, apiKeys.grantId] })
    .returning({ id: apiKeys.id });
  return { claimed: rows.length > 0 };
}

export async function lockApiKeyGrant({ db, channelId, grantId }: { db: Executor; channelId: string; grantId: string }): Promise<ApiKey | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.channelId, channelId), eq(apiKeys.grantId, grantId)))
    .limit(1)
    .for("update");
  return row;
}

export async function findApiKeyForGrant({ db, channelId, grantId }: { db: Executor; channelId: string; grantId: string }): Promise<ApiKey | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.channelId, channelId), eq(apiKeys.grantId, grantId)))
    .limit(1);
  return row;
}

export async function findActiveApiKey({ db, channelId }: { db: Executor; channelId: string }): Promise<ApiKey | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.channelId, channelId), eq(apiKeys.status, "active")))
    .orderBy(desc(apiKeys.keyVersion))
    .limit(1);
  return row;
}

/** The key a channel page shows: the active one, else the most recent claim. */
export async function findCurrentApiKey({ db, channelId }: { db: Executor; channelId: string }): Promise<ApiKey | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.channelId, channelId))
    .orderBy(sql`(${apiKeys.status} = 'active') desc`, desc(apiKeys.createdAt))
    .limit(1);
  return row;
}

/** Highest key version ever stored for the channel (0 when none): versions name the AAD, so they never repeat. */
export async function maxKeyVersion({ db, channelId }: { db: Executor; channelId: string }): Promise<number> {
  const [row] = await db
    .select({ max: sql<number>`coalesce(max(${apiKeys.keyVersion}) filter (where ${apiKeys.keyEnc} is not null), 0)::int` })
    .from(apiKeys)
    .where(eq(apiKeys.channelId, channelId));
  return Number(row?.max ?? 0);
}

export type StoredKey = {
  keyVersion: number;
  keyEnc: string;
  last4: string;
  fingerprint: string;
  address: string;
  externalId: string | null;
};

export async function activateApiKey({ db, id, key }: { db: Executor; id: string; key: StoredKey }): Promise<ApiKey> {
  const [row] = await db
    .update(apiKeys)
    .set({ ...key, status: "active", revokedAt: null, revealedAt: null, revealedBy: null, createdAt: sql`now()` })
    .where(eq(apiKeys.id, id))
    .returning();
  if (!row) throw new Error("activateApiKey: no such key row");
  return row;
}

/** Marks the channel's other active keys revoked: at 360dialog a new key revokes the old ones (docs/security.md F6). */
export async function revokeActiveKeys({
  db,
  channelId,
  exceptId,
  reason,
}: {
  db: Executor;
  channelId: string;
  exceptId?: string;
  /** Why, when it is not a newer key (`channel_cancelled`); pending claims are closed too then. */
  reason?: string;
}): Promise<string[]> {
  const statuses = reason ? inArray(apiKeys.status, ["active", "pending", "failed"]) : eq(apiKeys.status, "active");
  const rows = await db
    .update(apiKeys)
    .set({ status: "revoked", revokedAt: sql`now()`, revokedReason: reason ?? null })
    .where(and(eq(apiKeys.channelId, channelId), statuses, exceptId ? ne(apiKeys.id, exceptId) : undefined))
    .returning({ id: apiKeys.id });
  return rows.map((r) => r.id);
}

/**
 * Show once (docs/security.md R19): stamps the active key as revealed if nobody has seen it yet, in one statement, so two
 * concurrent reveals cannot both win. Undefined when there is no active unrevealed key.
 */
export async function markActiveKeyRevealed({
  db,
  channelId,
  userId,
}: {
  db: Executor;
  channelId: string;
  userId: string;
}): Promise<ApiKey | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revealedAt: sql`now()`, revealedBy: userId })
    .where(and(eq(apiKeys.channelId, channelId), eq(apiKeys.status, "active"), isNull(apiKeys.revealedAt)))
    .returning();
  return row;
}

/** The newest key that was stored with its ciphertext (active or revoked), by version. */
export async function findNewestStoredKey({ db, channelId }: { db: Executor; channelId: string }): Promise<ApiKey | undefined> {
  const [row] = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.channelId, channelId), sql`${apiKeys.keyEnc} is not null`))
    .orderBy(desc(apiKeys.keyVersion))
    .limit(1);
  return row;
}

/** The newest grant of the channel that came from a permission change (`perm:<time>`), if any. */
export async function findNewestPermissionGrant({ db, channelId }: { db: Executor; channelId: string }): Promise<string | undefined> {
  const [row] = await db
    .select({ grantId: apiKeys.grantId })
    .from(apiKeys)
    .where(and(eq(apiKeys.channelId, channelId), sql`${apiKeys.grantId} like 'perm:%'`))
    .orderBy(desc(apiKeys.grantId))
    .limit(1);
  return row?.grantId;
}

/** Marks a revoked key active again, only while the channel has no other active key. */
export async function restoreRevokedKey({ db, id, channelId }: { db: Executor; id: string; channelId: string }): Promise<ApiKey | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ status: "active", revokedAt: null })
    .where(
      and(
        eq(apiKeys.id, id),
        eq(apiKeys.status, "revoked"),
        sql`not exists (select 1 from ${apiKeys} other where other.channel_id = ${channelId} and other.status = 'active')`,
      ),
    )
    .returning();
  return row;
}
