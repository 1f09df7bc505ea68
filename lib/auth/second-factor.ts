import "server-only";
import { consumeChallenge, countChallengeFailure, deleteChallenge, findChallenge, insertChallenge, secondFactorsOf, type SecondFactors } from "@/db/queries/account-security";
import { findUserById, updateUser } from "@/db/queries/users";
import type { User } from "@/db/schema";
import { audit } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import type { SignedInUser } from "./credentials";
import { clearFlowCookie, FLOW_COOKIE_MAX_AGE, readFlowCookie, setFlowCookie } from "./flow-cookies";
import { forgiveLoginAttempts, registerLoginAttempt } from "./throttle";
import { checkSecondFactorCode } from "./totp";
import { issueSession, type SignInMethod } from "./staff-sessions";
import { newToken, sha256 } from "./tokens";

// The second step of a sign-in (docs/accounts.md §1). A right password for an account with a second factor opens a
// pending sign-in: a row found by the hash of an HttpOnly cookie, 10 minutes, at most MAX_GUESSES wrong codes.
// Every code typed is also counted against the same per-email and per-IP throttles as a password (docs/security.md
// R24), and the email's count is forgiven only once the second step succeeds, so knowing the password buys an
// attacker no more guesses: LOGIN_MAX_ATTEMPTS per LOGIN_WINDOW_MINUTES across both steps.

export const MAX_GUESSES_PER_PENDING_SIGN_IN = 5;

/** After a right password: remembers the user for the second step (this browser only). */
export async function beginSecondFactor(user: SignedInUser): Promise<void> {
  const token = newToken();
  await insertChallenge({
    db: await getDb(),
    challenge: {
      tokenHash: sha256(token),
      purpose: "second_factor",
      userId: user.id,
      challenge: null,
      expiresAt: new Date(Date.now() + FLOW_COOKIE_MAX_AGE.second_factor * 1000),
    },
  });
  await setFlowCookie("second_factor", token);
}

export type PendingSignIn = { challengeId: string; tokenHash: string; user: User; factors: SecondFactors };

/** The pending sign-in of this browser, if any (its user still enabled). */
export async function pendingSignIn(): Promise<PendingSignIn | undefined> {
  const token = await readFlowCookie("second_factor");
  if (!token) return undefined;
  const db = await getDb();
  const challenge = await findChallenge({ db, tokenHash: sha256(token), purpose: "second_factor" });
  if (!challenge?.userId) return undefined;
  const user = await findUserById({ db, id: challenge.userId });
  if (!user || user.disabledAt || !user.passwordHash) return undefined;
  return { challengeId: challenge.id, tokenHash: challenge.tokenHash, user, factors: await secondFactorsOf({ db, userId: user.id }) };
}

const SIGN_IN_AGAIN = "Your sign-in has expired. Enter your email and password again.";

/**
 * Completes a pending sign-in with a code from the authenticator app or a recovery code and sets the session.
 * Throws AppError: gone (no pending sign-in: start again), throttled, invalid (wrong code).
 */
export async function completeSecondFactorWithCode(code: string, ip: string): Promise<void> {
  const pending = await pendingSignIn();
  if (!pending) throw new AppError("gone:second_factor", SIGN_IN_AGAIN);
  const { user } = pending;
  const actor = { id: user.id, email: user.email };
  const verdict = await registerLoginAttempt({ email: user.email, ip });
  if (!verdict.allowed) {
    const minutes = Math.max(1, Math.ceil(verdict.retryAfterSeconds / 60));
    throw new AppError("throttled:sign_in", `Too many sign-in attempts. Wait ${minutes} minute${minutes === 1 ? "" : "s"}, then try again.`);
  }
  const db = await getDb();
  const check = await db.transaction(async (tx) => {
    const result = await checkSecondFactorCode(tx, actor, code, ip);
    // The pending sign-in is used up by the code that completes it, also against a second request racing this one.
    if (result.ok && !(await consumeChallenge({ db: tx, tokenHash: pending.tokenHash, purpose: "second_factor" }))) {
      throw new AppError("gone:second_factor", SIGN_IN_AGAIN);
    }
    return result;
  });
  if (!check.ok) {
    const failures = await countChallengeFailure({ db, id: pending.challengeId });
    await audit(db, { actor, action: "auth.second_factor_failed", targetType: "user", targetId: user.id, detail: { failures }, ip });
    if (failures >= MAX_GUESSES_PER_PENDING_SIGN_IN) {
      await deleteChallenge({ db, id: pending.challengeId });
      await clearFlowCookie("second_factor");
      throw new AppError("gone:second_factor", "Too many wrong codes. Enter your email and password again.");
    }
    throw new AppError("invalid:second_factor", "That code is not correct.", { fieldErrors: { code: ["Not correct."] } });
  }
  await finishSignIn(user, check.method === "totp" ? "password+totp" : "password+recovery_code", ip);
}

/** The sign-in is complete: throttle forgiven for the email, recorded, session set, pending state gone. */
export async function finishSignIn(user: User, method: SignInMethod, ip: string): Promise<void> {
  const db = await getDb();
  await forgiveLoginAttempts(user.email);
  await updateUser({ db, id: user.id, set: { lastLoginAt: new Date() } });
  await audit(db, { actor: { id: user.id, email: user.email }, action: "auth.sign_in", targetType: "user", targetId: user.id, detail: { method }, ip });
  await issueSession({ id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion }, method);
  const token = await readFlowCookie("second_factor");
  if (token) await consumeChallenge({ db, tokenHash: sha256(token), purpose: "second_factor" });
  await clearFlowCookie("second_factor");
}
