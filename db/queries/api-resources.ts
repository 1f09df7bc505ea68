import "server-only";
import { and, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { apiKeys, apiTokens, onboardingSessions, users, type ApiKey } from "../schema";
import { beforeCursor, cursorText, decodeCursor, pageOf } from "./paging";

// Reads the REST API (lib/api) needs beyond the dashboard's list queries.

export type KeyStateRow = {
  channelId: string;
  status: ApiKey["status"];
  keyVersion: number;
  last4: string | null;
  createdAt: Date;
  revokedAt: Date | null;
  revealedAt: Date | null;
  revealedByEmail: string | null;
  revealedByTokenId: string | null;
  revealedByTokenName: string | null;
};

/** Each channel's current key (the active one, else the newest claim), with who took its one reveal. */
export async function listCurrentKeyStates({ db, channelIds }: { db: Executor; channelIds: string[] }): Promise<KeyStateRow[]> {
  if (channelIds.length === 0) return [];
  return db
    .selectDistinctOn([apiKeys.channelId], {
      channelId: apiKeys.channelId,
      status: apiKeys.status,
      keyVersion: apiKeys.keyVersion,
      last4: apiKeys.last4,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
      revealedAt: apiKeys.revealedAt,
      revealedByEmail: users.email,
      revealedByTokenId: apiKeys.revealedByToken,
      revealedByTokenName: apiTokens.name,
    })
    .from(apiKeys)
    .leftJoin(users, eq(users.id, apiKeys.revealedBy))
    .leftJoin(apiTokens, eq(apiTokens.id, apiKeys.revealedByToken))
    .where(inArray(apiKeys.channelId, channelIds))
    .orderBy(apiKeys.channelId, sql`(${apiKeys.status} = 'active') desc`, desc(apiKeys.createdAt));
}

/**
 * The API's side of the one reveal (docs/security.md R19): stamps the channel's active, never revealed key as taken by this token
 * (and its owner), in the same single statement shape as markActiveKeyRevealed, so a dashboard reveal and an API
 * claim can never both win.
 */
export async function markActiveKeyClaimed({
  db,
  channelId,
  ownerId,
  tokenId,
}: {
  db: Executor;
  channelId: string;
  ownerId: string;
  tokenId: string;
}): Promise<ApiKey | undefined> {
  const [row] = await db
    .update(apiKeys)
    .set({ revealedAt: sql`now()`, revealedBy: ownerId, revealedByToken: tokenId })
    .where(and(eq(apiKeys.channelId, channelId), eq(apiKeys.status, "active"), isNull(apiKeys.revealedAt)))
    .returning();
  return row;
}

export type SessionListFilter = { hubId?: string; status?: string; inviteId?: string; clientId?: string };

/** Onboarding sessions newest first. */
export async function listSessionsPage({ db, filter, after, limit }: { db: Executor; filter: SessionListFilter; after?: string; limit: number }) {
  const where: SQL[] = [];
  if (filter.hubId) where.push(eq(onboardingSessions.hubId, filter.hubId));
  if (filter.inviteId) where.push(eq(onboardingSessions.inviteId, filter.inviteId));
  if (filter.clientId) where.push(eq(onboardingSessions.clientId, filter.clientId));
  if (filter.status) where.push(eq(onboardingSessions.status, filter.status as (typeof onboardingSessions.status.enumValues)[number]));
  const cursor = decodeCursor(after);
  if (cursor) where.push(beforeCursor(onboardingSessions.createdAt, onboardingSessions.id, cursor));
  const rows = await db
    .select({
      id: onboardingSessions.id,
      hubId: onboardingSessions.hubId,
      inviteId: onboardingSessions.inviteId,
      method: onboardingSessions.method,
      status: onboardingSessions.status,
      clientId: onboardingSessions.clientId,
      clientExternalId: onboardingSessions.clientExternalId,
      channelExternalIds: onboardingSessions.channelExternalIds,
      error: onboardingSessions.error,
      expiresAt: onboardingSessions.expiresAt,
      consumedAt: onboardingSessions.consumedAt,
      createdAt: onboardingSessions.createdAt,
      updatedAt: onboardingSessions.updatedAt,
      cursorAt: cursorText(onboardingSessions.createdAt),
    })
    .from(onboardingSessions)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(onboardingSessions.createdAt), desc(onboardingSessions.id))
    .limit(limit + 1);
  return pageOf(rows, limit);
}

export async function findSessionRow({ db, id }: { db: Executor; id: string }) {
  const [row] = await db
    .select({
      id: onboardingSessions.id,
      hubId: onboardingSessions.hubId,
      inviteId: onboardingSessions.inviteId,
      method: onboardingSessions.method,
      status: onboardingSessions.status,
      clientId: onboardingSessions.clientId,
      clientExternalId: onboardingSessions.clientExternalId,
      channelExternalIds: onboardingSessions.channelExternalIds,
      error: onboardingSessions.error,
      expiresAt: onboardingSessions.expiresAt,
      consumedAt: onboardingSessions.consumedAt,
      createdAt: onboardingSessions.createdAt,
      updatedAt: onboardingSessions.updatedAt,
    })
    .from(onboardingSessions)
    .where(eq(onboardingSessions.id, id))
    .limit(1);
  return row;
}
