import "server-only";
import { after } from "next/server";
import { findLivePasswordReset, insertPasswordReset, spendPasswordReset, voidPasswordResetsOf } from "@/db/queries/account-security";
import { endSessionsOf } from "@/db/queries/staff-sessions";
import { registerAttempt } from "@/db/queries/throttle";
import { findUserByEmail, findUserById, updateUser } from "@/db/queries/users";
import { audit } from "../audit";
import { getDb } from "../db";
import { getEnv, publicBaseUrl } from "../env";
import { AppError } from "../errors";
import { logger } from "../log";
import { sendMail } from "../mail/send";
import { hashPassword } from "./password";
import { normaliseEmail } from "./throttle";
import { newToken, sha256 } from "./tokens";

// Forgot password by email (docs/accounts.md §4): a single-use link valid 30 minutes whose token is stored only as
// a SHA-256; the same answer, in the same time, whether or not the address belongs to an account (the mail goes
// out after the answer); throttled per email and per IP; completing it ends every session of the account.

export const RESET_TTL_MINUTES = 30;

export type ResetRequestOutcome = { throttled: false } | { throttled: true; retryAfterSeconds: number };

/** Counts the request against the email and the IP, then, for an enabled account with a password, sends a link. */
export async function requestPasswordReset(rawEmail: string, ip: string): Promise<ResetRequestOutcome> {
  const env = getEnv();
  const email = normaliseEmail(rawEmail);
  const db = await getDb();
  const windowSeconds = env.LOGIN_WINDOW_MINUTES * 60;
  const byEmail = await registerAttempt({ db, key: `reset-email:${email}`, windowSeconds });
  const byIp = await registerAttempt({ db, key: `reset-ip:${ip}`, windowSeconds });
  const over = Math.max(
    byEmail.attempts > env.PASSWORD_RESET_MAX_PER_EMAIL ? byEmail.retryAfterSeconds : 0,
    byIp.attempts > env.LOGIN_IP_MAX_ATTEMPTS ? byIp.retryAfterSeconds : 0,
  );
  if (over > 0) return { throttled: true, retryAfterSeconds: over };

  const user = await findUserByEmail({ db, email });
  if (!user || user.disabledAt || !user.passwordHash) return { throttled: false };
  const token = newToken();
  await db.transaction(async (tx) => {
    await insertPasswordReset({ db: tx, userId: user.id, tokenHash: sha256(token), expiresAt: new Date(Date.now() + RESET_TTL_MINUTES * 60_000) });
    await audit(tx, { actor: { id: user.id, email: user.email }, action: "password.reset_requested", targetType: "user", targetId: user.id, ip });
  });
  const link = `${publicBaseUrl()}/reset-password/${token}`;
  // Sent after the answer, so an existing address answers no slower than an unknown one. The link is a secret:
  // sent directly, never queued in a job's plain-text payload (docs/mail.md §2); a failure is logged and the user
  // asks again.
  after(async () => {
    try {
      await sendMail({
        to: user.email,
        subject: "Reset your partner portal password",
        text: [
          `Someone (hopefully you) asked to reset the password of ${user.email} on ${publicBaseUrl()}.`,
          "",
          `Choose a new password here within ${RESET_TTL_MINUTES} minutes (the link works once):`,
          link,
          "",
          "If you did not ask for this, ignore this mail: your password stays as it is.",
        ].join("\n"),
      });
    } catch (err) {
      logger("auth").error({ err: err instanceof Error ? err.message : String(err), userId: user.id }, "password reset mail failed");
    }
  });
  return { throttled: false };
}

function tokenShape(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** Whether a reset link still works (for showing the form); the use itself is decided in completePasswordReset. */
export async function isResetLinkLive(token: string): Promise<boolean> {
  if (!tokenShape(token)) return false;
  const db = await getDb();
  const reset = await findLivePasswordReset({ db, tokenHash: sha256(token) });
  if (!reset) return false;
  const user = await findUserById({ db, id: reset.userId });
  return Boolean(user && !user.disabledAt);
}

const LINK_GONE = "This link is invalid, was used already or has expired. Ask for a new one.";

/**
 * Sets the new password and uses the link up, in one transaction: every other link of the account stops working,
 * and every session of the account ends (the browser that reset signs in afresh, with its second factor if it has one).
 */
export async function completePasswordReset(token: string, newPassword: string, ip: string): Promise<void> {
  if (!tokenShape(token)) throw new AppError("gone:password_reset", LINK_GONE);
  const db = await getDb();
  const passwordHash = await hashPassword(newPassword);
  await db.transaction(async (tx) => {
    const reset = await spendPasswordReset({ db: tx, tokenHash: sha256(token) });
    const user = reset ? await findUserById({ db: tx, id: reset.userId }) : undefined;
    if (!reset || !user || user.disabledAt) throw new AppError("gone:password_reset", LINK_GONE);
    await updateUser({ db: tx, id: user.id, set: { passwordHash, mustChangePassword: false, bumpSessionVersion: true } });
    await voidPasswordResetsOf({ db: tx, userId: user.id });
    const ended = await endSessionsOf({ db: tx, userId: user.id, reason: "password_reset" });
    await audit(tx, { actor: { id: user.id, email: user.email }, action: "password.reset_completed", targetType: "user", targetId: user.id, detail: { sessionsEnded: ended }, ip });
  });
}
