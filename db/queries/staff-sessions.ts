import "server-only";
import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { staffSessions, users, type StaffSession, type TwoFactorPolicy, type User } from "../schema";
import { HAS_PASSKEY, HAS_TOTP } from "./account-security";

export async function insertStaffSession({
  db,
  session,
}: {
  db: Executor;
  session: Pick<StaffSession, "userId" | "method" | "userAgent" | "ip" | "browserHash" | "expiresAt">;
}): Promise<StaffSession> {
  const [row] = await db.insert(staffSessions).values(session).returning();
  if (!row) throw new Error("insertStaffSession returned no row");
  return row;
}

/** Whether this user has signed in from this browser before (any session, ended or not). */
export async function hasSessionFromBrowser({ db, userId, browserHash }: { db: Executor; userId: string; browserHash: string }): Promise<boolean> {
  const [row] = await db
    .select({ id: staffSessions.id })
    .from(staffSessions)
    .where(and(eq(staffSessions.userId, userId), eq(staffSessions.browserHash, browserHash)))
    .limit(1);
  return Boolean(row);
}

/**
 * The user of a live session in one statement (the per-request check, docs/accounts.md §5), and `lastSeenAt`
 * moved forward when it is older than `touchAfterSeconds` (one write per minute per session, not per request).
 */
export async function findLiveSessionUser({
  db,
  sessionId,
  touchAfterSeconds,
}: {
  db: Executor;
  sessionId: string;
  touchAfterSeconds: number;
}): Promise<{ user: User; session: StaffSession; hasSecondFactor: boolean; policy: TwoFactorPolicy } | undefined> {
  const [row] = await db
    .select({
      user: users,
      session: staffSessions,
      hasSecondFactor: sql<boolean>`(${HAS_TOTP} or ${HAS_PASSKEY})`,
      policy: sql<TwoFactorPolicy>`coalesce((select ps.two_factor_policy from portal_settings ps where ps.id = 1), 'off')`,
    })
    .from(staffSessions)
    .innerJoin(users, eq(users.id, staffSessions.userId))
    .where(and(eq(staffSessions.id, sessionId), isNull(staffSessions.endedAt), gt(staffSessions.expiresAt, sql`now()`)))
    .limit(1);
  if (!row) return undefined;
  if (Date.now() - row.session.lastSeenAt.getTime() > touchAfterSeconds * 1000) {
    await db.update(staffSessions).set({ lastSeenAt: sql`now()` }).where(eq(staffSessions.id, sessionId));
  }
  return row;
}

export async function listLiveSessions({ db, userId }: { db: Executor; userId: string }): Promise<StaffSession[]> {
  return db
    .select()
    .from(staffSessions)
    .where(and(eq(staffSessions.userId, userId), isNull(staffSessions.endedAt), gt(staffSessions.expiresAt, sql`now()`)))
    .orderBy(desc(staffSessions.lastSeenAt), desc(staffSessions.id))
    .limit(100);
}

/** Ends one live session of the user; answers whether one was ended. */
export async function endSession({ db, userId, sessionId, reason }: { db: Executor; userId: string; sessionId: string; reason: string }): Promise<boolean> {
  const rows = await db
    .update(staffSessions)
    .set({ endedAt: sql`now()`, endedReason: reason })
    .where(and(eq(staffSessions.id, sessionId), eq(staffSessions.userId, userId), isNull(staffSessions.endedAt)))
    .returning({ id: staffSessions.id });
  return rows.length > 0;
}

/** Ends every live session of the user, except `keep` when given; answers how many. */
export async function endSessionsOf({ db, userId, keep, reason }: { db: Executor; userId: string; keep?: string; reason: string }): Promise<number> {
  const rows = await db
    .update(staffSessions)
    .set({ endedAt: sql`now()`, endedReason: reason })
    .where(and(eq(staffSessions.userId, userId), isNull(staffSessions.endedAt), keep ? ne(staffSessions.id, keep) : undefined))
    .returning({ id: staffSessions.id });
  return rows.length;
}
