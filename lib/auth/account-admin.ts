import "server-only";
import { deletePasskeysOf, deleteRecoveryCodes, deleteTotp, twoFactorSummary } from "@/db/queries/account-security";
import { endSessionsOf } from "@/db/queries/staff-sessions";
import { findUserById } from "@/db/queries/users";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";

// What an admin does for another user's sign-in security (docs/accounts.md §3, §5): a user who lost the device
// with their authenticator app, passkeys and recovery codes gets their second factors removed and every session
// ended; they sign in with their password (or a forgot-password link) and, under the policy, enrol again at once.

export async function resetTwoFactorOfUser(actor: Actor, userId: string, ip: string): Promise<void> {
  if (userId === actor.id) throw new AppError("conflict:self", "Manage your own second factors on your account page.");
  const db = await getDb();
  const target = await findUserById({ db, id: userId });
  if (!target) throw new AppError("not_found:user", "That user no longer exists.");
  await db.transaction(async (tx) => {
    await deleteTotp({ db: tx, userId });
    await deleteRecoveryCodes({ db: tx, userId });
    const passkeys = await deletePasskeysOf({ db: tx, userId });
    const sessions = await endSessionsOf({ db: tx, userId, reason: "two_factor_reset" });
    await audit(tx, { actor, action: "two_factor.reset_by_admin", targetType: "user", targetId: userId, detail: { email: target.email, passkeys, sessions }, ip });
  });
}

export async function loadTwoFactorSummary(): Promise<Map<string, { totp: boolean; passkeys: number }>> {
  return twoFactorSummary({ db: await getDb() });
}
