import "server-only";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { apiTokens, hubs, users, type ApiToken } from "../schema";

export type NewApiToken = typeof apiTokens.$inferInsert;

export async function insertApiToken({ db, token }: { db: Executor; token: NewApiToken }): Promise<ApiToken> {
  const [row] = await db.insert(apiTokens).values(token).returning();
  if (!row) throw new Error("insertApiToken returned no row");
  return row;
}

export type TokenAuthRow = {
  token: ApiToken;
  ownerEmail: string;
  ownerRole: string;
  ownerDisabled: boolean;
  allowed: boolean;
  retryAfterSeconds: number;
};

/**
 * Authenticates one call and takes one unit from the token's bucket in ONE statement (docs/api.md "Rate limit"):
 * the bucket refills at `perSecond` up to `burst`; a call is let through when a whole unit is there. The decision
 * is computed from the row itself inside the UPDATE, so concurrent calls on any instance serialise on the row
 * and can never both take the last unit. `last_used_at` moves at most once a minute. Only live tokens match
 * (not revoked, not expired); the caller answers one 401 for every other case.
 */
export async function authenticateAndSpend({
  db,
  tokenHash,
  burst,
  perSecond,
}: {
  db: Executor;
  tokenHash: string;
  burst: number;
  perSecond: number;
}): Promise<TokenAuthRow | undefined> {
  const available = sql`least(${burst}::float8, coalesce(${apiTokens.rateTokens}, ${burst}::float8) + greatest(0, extract(epoch from (now() - coalesce(${apiTokens.rateAt}, now()))))::float8 * ${perSecond}::float8)`;
  const [row] = await db
    .update(apiTokens)
    .set({
      rateTokens: sql`case when ${available} >= 1 then ${available} - 1 else ${available} end`,
      rateAt: sql`now()`,
      rateAllowed: sql`${available} >= 1`,
      lastUsedAt: sql`case when ${apiTokens.lastUsedAt} is null or ${apiTokens.lastUsedAt} < now() - interval '1 minute' then now() else ${apiTokens.lastUsedAt} end`,
    })
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), sql`(${apiTokens.expiresAt} is null or ${apiTokens.expiresAt} > now())`))
    .returning();
  if (!row) return undefined;
  const [owner] = await db.select({ email: users.email, role: users.role, disabledAt: users.disabledAt }).from(users).where(eq(users.id, row.ownerId)).limit(1);
  const missing = 1 - (row.rateTokens ?? 0);
  return {
    token: row,
    ownerEmail: owner?.email ?? "",
    ownerRole: owner?.role ?? "viewer",
    ownerDisabled: !owner || owner.disabledAt !== null,
    allowed: row.rateAllowed,
    retryAfterSeconds: row.rateAllowed ? 0 : Math.max(1, Math.ceil(missing / perSecond)),
  };
}

export type ApiTokenListRow = Omit<ApiToken, "tokenHash" | "rateTokens" | "rateAt" | "rateAllowed"> & { hubName: string | null; ownerEmail: string | null };

export async function listApiTokens({ db }: { db: Executor }): Promise<ApiTokenListRow[]> {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      prefix: apiTokens.prefix,
      scopes: apiTokens.scopes,
      hubId: apiTokens.hubId,
      hubName: hubs.name,
      expiresAt: apiTokens.expiresAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
      ownerId: apiTokens.ownerId,
      ownerEmail: users.email,
      createdAt: apiTokens.createdAt,
    })
    .from(apiTokens)
    .leftJoin(hubs, eq(hubs.id, apiTokens.hubId))
    .leftJoin(users, eq(users.id, apiTokens.ownerId))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id))
    .limit(500);
}

/** Revokes once: a second revoke finds nothing and keeps the first time. */
export async function revokeApiTokenRow({ db, id }: { db: Executor; id: string }): Promise<ApiToken | undefined> {
  const [row] = await db
    .update(apiTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning();
  return row;
}

export async function findApiTokenById({ db, id }: { db: Executor; id: string }): Promise<ApiToken | undefined> {
  const [row] = await db.select().from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
  return row;
}

/** The owner a CLI-made token gets when none is named: the oldest enabled admin. */
export async function findFirstAdmin({ db, email }: { db: Executor; email?: string }): Promise<{ id: string; email: string } | undefined> {
  const [row] = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.disabledAt), email ? eq(users.email, email.toLowerCase()) : undefined))
    .orderBy(users.createdAt)
    .limit(1);
  return row;
}
