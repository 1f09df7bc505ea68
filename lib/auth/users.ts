import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { connection } from "next/server";
import {
  countActiveAdmins,
  countUsers,
  findUserByEmail,
  findUserById,
  findUserByInviteToken,
  insertUser,
  updateUser,
} from "@/db/queries/users";
import { endSessionsOf } from "@/db/queries/staff-sessions";
import type { User } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { hashPassword, verifyPassword } from "./password";
import type { UserRole } from "./roles";
import { normaliseEmail } from "./throttle";

const INVITE_TTL_HOURS = 72;
// Serialises first-run setup across instances: only one request can ever create the first admin.
const SETUP_LOCK_ID = 360_360_002;

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Readable one-time password: 20 characters from an alphabet without look-alikes (~114 bits). */
export function generateOneTimePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(20);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

export async function isSetupOpen(): Promise<boolean> {
  await connection(); // answered per request: a build must not bake in "no users yet"
  return countSaysSetupOpen();
}

/** The same answer outside the App Router's rendering, where connection() throws: the light pages' getServerSideProps (lib/onboarding/light-load.ts), which runs per request anyway. */
export async function countSaysSetupOpen(): Promise<boolean> {
  return (await countUsers({ db: await getDb() })) === 0;
}

/** Creates the first admin while no user exists; closed for good once any user does. */
export async function createFirstAdmin(input: { email: string; name: string; password: string }, ip: string): Promise<User> {
  const db = await getDb();
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SETUP_LOCK_ID})`);
    if ((await countUsers({ db: tx })) > 0) throw new AppError("gone:setup", "Setup is already complete. Sign in instead.");
    const user = await insertUser({
      db: tx,
      user: { email: normaliseEmail(input.email), name: input.name.trim(), role: "admin", passwordHash },
    });
    await audit(tx, { actor: { id: user.id, email: user.email }, action: "setup.first_admin", targetType: "user", targetId: user.id, ip });
    return user;
  });
}

export type CreatedUser = { user: User; oneTimePassword?: string; inviteToken?: string };

export async function createStaffUser(
  actor: Actor,
  input: { email: string; name: string; role: UserRole; method: "password" | "invite" },
): Promise<CreatedUser> {
  const db = await getDb();
  const email = normaliseEmail(input.email);
  if (await findUserByEmail({ db, email })) {
    throw new AppError("conflict:user", "A user with this email already exists.", { fieldErrors: { email: ["Already in use."] } });
  }
  const oneTimePassword = input.method === "password" ? generateOneTimePassword() : undefined;
  const inviteToken = input.method === "invite" ? randomBytes(32).toString("base64url") : undefined;
  const passwordHash = oneTimePassword ? await hashPassword(oneTimePassword) : null;
  const user = await db.transaction(async (tx) => {
    const created = await insertUser({
      db: tx,
      user: {
        email,
        name: input.name.trim(),
        role: input.role,
        passwordHash,
        mustChangePassword: Boolean(oneTimePassword),
        inviteTokenHash: inviteToken ? hashToken(inviteToken) : null,
        inviteExpiresAt: inviteToken ? new Date(Date.now() + INVITE_TTL_HOURS * 3600_000) : null,
        createdBy: actor.id,
      },
    });
    await audit(
      tx,
      { actor, action: "user.created", targetType: "user", targetId: created.id, detail: { email, role: input.role, method: input.method } },
    );
    return created;
  });
  return { user, oneTimePassword, inviteToken };
}

async function loadTarget(id: string): Promise<User> {
  const user = await findUserById({ db: await getDb(), id });
  if (!user) throw new AppError("not_found:user", "That user no longer exists.");
  return user;
}

async function assertNotLastAdmin(target: User): Promise<void> {
  if (target.role !== "admin" || target.disabledAt) return;
  if ((await countActiveAdmins({ db: await getDb() })) <= 1) {
    throw new AppError("conflict:last_admin", "This is the last active admin. Make another user admin first.");
  }
}

export async function changeUserRole(actor: Actor, userId: string, role: UserRole): Promise<void> {
  const target = await loadTarget(userId);
  if (target.role === role) return;
  if (role !== "admin") await assertNotLastAdmin(target);
  const db = await getDb();
  await db.transaction(async (tx) => {
    await updateUser({ db: tx, id: userId, set: { role } });
    await audit(tx, { actor, action: "user.role_changed", targetType: "user", targetId: userId, detail: { email: target.email, from: target.role, to: role } });
  });
}

export async function setUserDisabled(actor: Actor, userId: string, disabled: boolean): Promise<void> {
  if (disabled && userId === actor.id) throw new AppError("conflict:self", "You cannot disable your own account.");
  const target = await loadTarget(userId);
  if (Boolean(target.disabledAt) === disabled) return;
  if (disabled) await assertNotLastAdmin(target);
  const db = await getDb();
  await db.transaction(async (tx) => {
    await updateUser({ db: tx, id: userId, set: { disabledAt: disabled ? new Date() : null, bumpSessionVersion: true } });
    if (disabled) await endSessionsOf({ db: tx, userId, reason: "user_disabled" });
    await audit(tx, { actor, action: disabled ? "user.disabled" : "user.enabled", targetType: "user", targetId: userId, detail: { email: target.email } });
  });
}

/** Issues a fresh invite link (the old one stops working) or a fresh one-time password. */
export async function resetUserAccess(actor: Actor, userId: string, method: "password" | "invite"): Promise<Omit<CreatedUser, "user">> {
  const target = await loadTarget(userId);
  const oneTimePassword = method === "password" ? generateOneTimePassword() : undefined;
  const inviteToken = method === "invite" ? randomBytes(32).toString("base64url") : undefined;
  const db = await getDb();
  await db.transaction(async (tx) => {
    await updateUser({
      db: tx,
      id: userId,
      set: {
        passwordHash: oneTimePassword ? await hashPassword(oneTimePassword) : null,
        mustChangePassword: Boolean(oneTimePassword),
        inviteTokenHash: inviteToken ? hashToken(inviteToken) : null,
        inviteExpiresAt: inviteToken ? new Date(Date.now() + INVITE_TTL_HOURS * 3600_000) : null,
        bumpSessionVersion: true,
      },
    });
    await endSessionsOf({ db: tx, userId, reason: "access_reset" });
    await audit(tx, { actor, action: "user.access_reset", targetType: "user", targetId: userId, detail: { email: target.email, method } });
  });
  return { oneTimePassword, inviteToken };
}

export async function findInvitedUser(token: string): Promise<User | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  return findUserByInviteToken({ db: await getDb(), tokenHash: hashToken(token) });
}

export async function acceptUserInvite(token: string, input: { name: string; password: string }, ip: string): Promise<User> {
  const user = await findInvitedUser(token);
  if (!user) throw new AppError("gone:invite", "This invite link is invalid or has expired. Ask an admin for a new one.");
  const db = await getDb();
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const updated = await updateUser({
      db: tx,
      id: user.id,
      set: { name: input.name.trim() || user.name, passwordHash, mustChangePassword: false, inviteTokenHash: null, inviteExpiresAt: null, bumpSessionVersion: true },
    });
    await audit(tx, { actor: { id: user.id, email: user.email }, action: "user.invite_accepted", targetType: "user", targetId: user.id, ip });
    return updated!;
  });
}

/**
 * Sets a new password and moves the user to a new session_version: every session issued before ends on its
 * next request (docs/security.md R22). The caller re-issues the current browser's session for the returned user.
 */
export async function changeOwnPassword(userId: string, input: { currentPassword: string; newPassword: string }): Promise<User> {
  const user = await loadTarget(userId);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new AppError("invalid:password", "The current password is not correct.", { fieldErrors: { currentPassword: ["Not correct."] } });
  }
  if (input.currentPassword === input.newPassword) {
    throw new AppError("invalid:password", "Choose a password different from the current one.", { fieldErrors: { newPassword: ["Must differ from the current password."] } });
  }
  const db = await getDb();
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    const updated = await updateUser({ db: tx, id: userId, set: { passwordHash, mustChangePassword: false, bumpSessionVersion: true } });
    // The browser that made the change gets a new session from the caller; every session row ends here.
    await endSessionsOf({ db: tx, userId, reason: "password_changed" });
    await audit(tx, { actor: { id: user.id, email: user.email }, action: "user.password_changed", targetType: "user", targetId: userId });
    return updated!;
  });
}
