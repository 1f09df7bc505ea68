import "server-only";
import { z } from "zod";
import { secondFactorsOf } from "@/db/queries/account-security";
import { findUserByEmail, updateUser } from "@/db/queries/users";
import type { User } from "@/db/schema";
import { audit } from "../audit";
import { getDb } from "../db";
import { hashPassword, needsRehash, verifyPassword } from "./password";
import { forgiveLoginAttempts, normaliseEmail, registerLoginAttempt, type ThrottleVerdict } from "./throttle";

// The one reading of sign-in input and the one check of it, shared by the sign-in form (a server action) and
// next-auth's credentials endpoint, so the email that is throttled is exactly the email that is verified.

const credentialsSchema = z.object({
  email: z.string().trim().max(320).transform(normaliseEmail),
  password: z.string().max(256),
});

export type Credentials = z.infer<typeof credentialsSchema>;

/** Email (normalised as it is stored, throttled and looked up) and password, or null for malformed input. */
export function parseCredentials(input: unknown): Credentials | null {
  const parsed = credentialsSchema.safeParse(input);
  return parsed.success ? parsed.data : null;
}

/**
 * The field that occurs more than once, if any. A repeated field is refused rather than read: two readers
 * taking different copies (first for the throttle, last for the check) is how a lockout gets bypassed.
 */
export function repeatedField(names: Iterable<string>): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

export type SignedInUser = Pick<User, "id" | "email" | "name" | "sessionVersion">;

/**
 * `secondFactorDue`: the password was right but the account has a second factor, so the sign-in is not complete:
 * nothing is forgiven or recorded as a sign-in until the second step succeeds (lib/auth/second-factor.ts).
 */
export type CredentialsVerdict = { ok: true; user: SignedInUser; secondFactorDue: boolean } | { ok: false; reason: "invalid" | "disabled" };

/** Counts the attempt against the email authorize() will check and the client IP (docs/security.md R24). */
export function throttleSignIn(credentials: Credentials | null, ip: string): Promise<ThrottleVerdict> {
  return registerLoginAttempt({ email: credentials?.email ?? "", ip });
}

/**
 * Checks email and password. Unknown and password-less accounts take the same path and time as a wrong
 * password and get the same answer (docs/security.md R24). A disabled account is named as such only once its password was
 * right, so the answer tells nothing to someone who does not know the password.
 */
export async function verifyCredentials(credentials: Credentials, ip?: string): Promise<CredentialsVerdict> {
  const db = await getDb();
  const user = await findUserByEmail({ db, email: credentials.email });
  const ok = await verifyPassword(user?.passwordHash, credentials.password);
  if (!ok || !user) return { ok: false, reason: "invalid" };
  if (user.disabledAt) return { ok: false, reason: "disabled" };
  const signedIn = { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
  const factors = await secondFactorsOf({ db, userId: user.id });
  if (factors.totp || factors.passkeys > 0) {
    // The email's failed attempts stay counted: the second step is throttled on the same keys (docs/accounts.md §1).
    if (needsRehash(user.passwordHash!)) await updateUser({ db, id: user.id, set: { passwordHash: await hashPassword(credentials.password) } });
    return { ok: true, user: signedIn, secondFactorDue: true };
  }
  await forgiveLoginAttempts(credentials.email);
  await updateUser({
    db,
    id: user.id,
    set: {
      lastLoginAt: new Date(),
      ...(needsRehash(user.passwordHash!) ? { passwordHash: await hashPassword(credentials.password) } : {}),
    },
  });
  await audit(db, { actor: { id: user.id, email: user.email }, action: "auth.sign_in", targetType: "user", targetId: user.id, detail: { method: "password" }, ip });
  return { ok: true, user: signedIn, secondFactorDue: false };
}

export type SignInOutcome = CredentialsVerdict | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/** Throttle, then verify: during a lockout no password hash is checked (docs/security.md R24). */
export async function signInWithPassword(credentials: Credentials | null, ip: string): Promise<SignInOutcome> {
  const verdict = await throttleSignIn(credentials, ip);
  if (!verdict.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: verdict.retryAfterSeconds };
  return credentials ? verifyCredentials(credentials, ip) : { ok: false, reason: "invalid" };
}
