import "server-only";
import { and, asc, count, eq, gt, isNull, lt, sql } from "drizzle-orm";
import type { Executor } from "../client";
import {
  authChallenges,
  passkeys,
  passwordResets,
  portalSettings,
  recoveryCodes,
  userTotp,
  type AuthChallenge,
  type Passkey,
  type TwoFactorPolicy,
  users,
} from "../schema";

// Two-factor, passkeys, sign-in challenges, password resets and the portal's two-factor policy (docs/accounts.md).

// ---- policy ----

export async function readTwoFactorPolicy({ db }: { db: Executor }): Promise<TwoFactorPolicy> {
  const [row] = await db.select({ policy: portalSettings.twoFactorPolicy }).from(portalSettings).where(eq(portalSettings.id, 1)).limit(1);
  return row?.policy ?? "off";
}

export async function writeTwoFactorPolicy({ db, policy, userId }: { db: Executor; policy: TwoFactorPolicy; userId: string }): Promise<void> {
  await db
    .insert(portalSettings)
    .values({ id: 1, twoFactorPolicy: policy, updatedBy: userId })
    .onConflictDoUpdate({ target: portalSettings.id, set: { twoFactorPolicy: policy, updatedBy: userId, updatedAt: sql`now()` } });
}

// ---- what a user has ----

// Correlated subqueries on "users" spelled out in SQL: drizzle writes a column of a one-table select unqualified
// ("id"), which inside a subquery would name the subquery's own column.
export const HAS_TOTP = sql<boolean>`exists(select 1 from user_totp ut where ut.user_id = "users"."id" and ut.confirmed_at is not null)`;
const PASSKEY_COUNT = sql<number>`(select count(*) from passkeys pk where pk.user_id = "users"."id")::int`;
export const HAS_PASSKEY = sql<boolean>`exists(select 1 from passkeys pk where pk.user_id = "users"."id")`;

export type SecondFactors = { totp: boolean; passkeys: number; recoveryCodesLeft: number };

export async function secondFactorsOf({ db, userId }: { db: Executor; userId: string }): Promise<SecondFactors> {
  const [row] = await db
    .select({
      totp: HAS_TOTP,
      passkeys: PASSKEY_COUNT,
      codes: sql<number>`(select count(*) from recovery_codes rc where rc.user_id = "users"."id" and rc.used_at is null)::int`,
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return { totp: Boolean(row?.totp), passkeys: Number(row?.passkeys ?? 0), recoveryCodesLeft: Number(row?.codes ?? 0) };
}

// ---- TOTP ----

export async function findTotp({ db, userId }: { db: Executor; userId: string }) {
  const [row] = await db.select().from(userTotp).where(eq(userTotp.userId, userId)).limit(1);
  return row;
}

/** A new, unconfirmed secret; refused (false) while a confirmed one exists. */
export async function upsertPendingTotp({ db, userId, secretEnc }: { db: Executor; userId: string; secretEnc: string }): Promise<boolean> {
  const rows = await db
    .insert(userTotp)
    .values({ userId, secretEnc })
    .onConflictDoUpdate({ target: userTotp.userId, set: { secretEnc, createdAt: sql`now()`, lastTimeStep: null }, setWhere: isNull(userTotp.confirmedAt) })
    .returning({ userId: userTotp.userId });
  return rows.length > 0;
}

export async function confirmTotp({ db, userId, timeStep }: { db: Executor; userId: string; timeStep: number }): Promise<boolean> {
  const rows = await db
    .update(userTotp)
    .set({ confirmedAt: sql`now()`, lastTimeStep: timeStep })
    .where(and(eq(userTotp.userId, userId), isNull(userTotp.confirmedAt)))
    .returning({ userId: userTotp.userId });
  return rows.length > 0;
}

/**
 * Records an accepted code's time step, only if it is later than the last one: two requests with the same code
 * cannot both win (RFC 6238 §5.2, a code is accepted once).
 */
export async function advanceTotpStep({ db, userId, timeStep }: { db: Executor; userId: string; timeStep: number }): Promise<boolean> {
  const rows = await db
    .update(userTotp)
    .set({ lastTimeStep: timeStep })
    .where(and(eq(userTotp.userId, userId), sql`coalesce(${userTotp.lastTimeStep}, -1) < ${timeStep}`))
    .returning({ userId: userTotp.userId });
  return rows.length > 0;
}

export async function deleteTotp({ db, userId }: { db: Executor; userId: string }): Promise<void> {
  await db.delete(userTotp).where(eq(userTotp.userId, userId));
}

// ---- recovery codes ----

export async function replaceRecoveryCodes({ db, userId, hashes }: { db: Executor; userId: string; hashes: string[] }): Promise<void> {
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  if (hashes.length) await db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash })));
}

/** Marks an unused code used; true exactly once per code, also under concurrent requests. */
export async function spendRecoveryCode({ db, userId, codeHash }: { db: Executor; userId: string; codeHash: string }): Promise<boolean> {
  const rows = await db
    .update(recoveryCodes)
    .set({ usedAt: sql`now()` })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return rows.length > 0;
}

export async function deleteRecoveryCodes({ db, userId }: { db: Executor; userId: string }): Promise<void> {
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
}

// ---- passkeys ----

export async function listPasskeys({ db, userId }: { db: Executor; userId: string }): Promise<Passkey[]> {
  return db.select().from(passkeys).where(eq(passkeys.userId, userId)).orderBy(asc(passkeys.createdAt), asc(passkeys.id));
}

export async function findPasskeyByCredentialId({ db, credentialId }: { db: Executor; credentialId: string }): Promise<Passkey | undefined> {
  const [row] = await db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).limit(1);
  return row;
}

export async function insertPasskey({
  db,
  passkey,
}: {
  db: Executor;
  passkey: Pick<Passkey, "userId" | "name" | "credentialId" | "publicKey" | "counter" | "transports" | "deviceType" | "backedUp">;
}): Promise<Passkey> {
  const [row] = await db.insert(passkeys).values(passkey).returning();
  if (!row) throw new Error("insertPasskey returned no row");
  return row;
}

/**
 * Stores the counter the authenticator reported, only if it moved forward from the one that was checked (or
 * both are 0: authenticators without a counter): a cloned authenticator racing the original loses.
 */
export async function advancePasskeyCounter({ db, id, from, to }: { db: Executor; id: string; from: number; to: number }): Promise<boolean> {
  const rows = await db
    .update(passkeys)
    .set({ counter: to, lastUsedAt: sql`now()` })
    .where(and(eq(passkeys.id, id), eq(passkeys.counter, from)))
    .returning({ id: passkeys.id });
  return rows.length > 0;
}

export async function renamePasskey({ db, userId, id, name }: { db: Executor; userId: string; id: string; name: string }): Promise<Passkey | undefined> {
  const [row] = await db.update(passkeys).set({ name }).where(and(eq(passkeys.id, id), eq(passkeys.userId, userId))).returning();
  return row;
}

export async function deletePasskey({ db, userId, id }: { db: Executor; userId: string; id: string }): Promise<Passkey | undefined> {
  const [row] = await db.delete(passkeys).where(and(eq(passkeys.id, id), eq(passkeys.userId, userId))).returning();
  return row;
}

export async function countPasskeys({ db, userId }: { db: Executor; userId: string }): Promise<number> {
  const [row] = await db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId));
  return row?.n ?? 0;
}

// ---- challenges (pending second factor, WebAuthn ceremonies) ----

export async function insertChallenge({
  db,
  challenge,
}: {
  db: Executor;
  challenge: Pick<AuthChallenge, "tokenHash" | "purpose" | "userId" | "challenge" | "expiresAt">;
}): Promise<void> {
  await db.delete(authChallenges).where(lt(authChallenges.expiresAt, sql`now()`));
  await db.insert(authChallenges).values(challenge);
}

export async function findChallenge({ db, tokenHash, purpose }: { db: Executor; tokenHash: string; purpose: AuthChallenge["purpose"] }): Promise<AuthChallenge | undefined> {
  const [row] = await db
    .select()
    .from(authChallenges)
    .where(and(eq(authChallenges.tokenHash, tokenHash), eq(authChallenges.purpose, purpose), gt(authChallenges.expiresAt, sql`now()`)))
    .limit(1);
  return row;
}

/** Takes a challenge out: answers it exactly once (a WebAuthn challenge is single-use). */
export async function consumeChallenge({ db, tokenHash, purpose }: { db: Executor; tokenHash: string; purpose: AuthChallenge["purpose"] }): Promise<AuthChallenge | undefined> {
  const [row] = await db
    .delete(authChallenges)
    .where(and(eq(authChallenges.tokenHash, tokenHash), eq(authChallenges.purpose, purpose), gt(authChallenges.expiresAt, sql`now()`)))
    .returning();
  return row;
}

/** Counts a failed guess on a challenge; answers the count (the caller drops it past its limit). */
export async function countChallengeFailure({ db, id }: { db: Executor; id: string }): Promise<number> {
  const [row] = await db
    .update(authChallenges)
    .set({ failedAttempts: sql`${authChallenges.failedAttempts} + 1` })
    .where(eq(authChallenges.id, id))
    .returning({ n: authChallenges.failedAttempts });
  return row?.n ?? Number.POSITIVE_INFINITY;
}

export async function deleteChallenge({ db, id }: { db: Executor; id: string }): Promise<void> {
  await db.delete(authChallenges).where(eq(authChallenges.id, id));
}

// ---- password resets ----

export async function insertPasswordReset({ db, userId, tokenHash, expiresAt }: { db: Executor; userId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
  await db.insert(passwordResets).values({ userId, tokenHash, expiresAt });
}

/** Takes a live reset link (unused, unexpired) once: the second use finds nothing. */
export async function spendPasswordReset({ db, tokenHash }: { db: Executor; tokenHash: string }): Promise<{ userId: string } | undefined> {
  const [row] = await db
    .update(passwordResets)
    .set({ usedAt: sql`now()` })
    .where(and(eq(passwordResets.tokenHash, tokenHash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, sql`now()`)))
    .returning({ userId: passwordResets.userId });
  return row;
}

export async function findLivePasswordReset({ db, tokenHash }: { db: Executor; tokenHash: string }): Promise<{ userId: string } | undefined> {
  const [row] = await db
    .select({ userId: passwordResets.userId })
    .from(passwordResets)
    .where(and(eq(passwordResets.tokenHash, tokenHash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, sql`now()`)))
    .limit(1);
  return row;
}

/** Every other outstanding link of the user stops working once one is used. */
export async function voidPasswordResetsOf({ db, userId }: { db: Executor; userId: string }): Promise<void> {
  await db.update(passwordResets).set({ usedAt: sql`now()` }).where(and(eq(passwordResets.userId, userId), isNull(passwordResets.usedAt)));
}

export async function deletePasskeysOf({ db, userId }: { db: Executor; userId: string }): Promise<number> {
  const rows = await db.delete(passkeys).where(eq(passkeys.userId, userId)).returning({ id: passkeys.id });
  return rows.length;
}

/** Per user: whether an authenticator app is confirmed and how many passkeys (the Users page's column). */
export async function twoFactorSummary({ db }: { db: Executor }): Promise<Map<string, { totp: boolean; passkeys: number }>> {
  const rows = await db
    .select({
      userId: users.id,
      totp: HAS_TOTP,
      passkeys: PASSKEY_COUNT,
    })
    .from(users);
  return new Map(rows.map((r) => [r.userId, { totp: Boolean(r.totp), passkeys: Number(r.passkeys) }]));
}

/** For `npm run keys:rewrap`: every stored authenticator-app secret (one per user at most, so no paging). */
export async function listTotpSecrets({ db }: { db: Executor }): Promise<{ userId: string; secretEnc: string }[]> {
  return db.select({ userId: userTotp.userId, secretEnc: userTotp.secretEnc }).from(userTotp);
}

/** Compare-and-set of a resealed secret: false when the row changed meanwhile (re-enrolled, removed). */
export async function replaceTotpSecret({ db, userId, from, to }: { db: Executor; userId: string; from: string; to: string }): Promise<boolean> {
  const rows = await db
    .update(userTotp)
    .set({ secretEnc: to })
    .where(and(eq(userTotp.userId, userId), eq(userTotp.secretEnc, from)))
    .returning({ userId: userTotp.userId });
  return rows.length > 0;
}
