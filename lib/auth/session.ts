import "server-only";
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { headers } from "next/headers";
import { connection } from "next/server";
import { cache } from "react";
import { findLiveSessionUser } from "@/db/queries/staff-sessions";
import type { User } from "@/db/schema";
import { getDb } from "../db";
import { AppError } from "../errors";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import { getAuthOptions } from "./options";
import { effectivePolicy, isEnrolmentDue } from "./policy";
import { hasRole, type UserRole } from "./roles";

export type CurrentUser = Pick<User, "id" | "email" | "name" | "role" | "mustChangePassword"> & {
  /** The staff_sessions row of this request's session (docs/accounts.md §5). */
  sessionId: string;
  /** The two-factor policy covers this user and they have no second factor yet: enrolment first (docs/accounts.md §3). */
  enrolmentDue: boolean;
};

// lastSeenAt of a session is written at most once a minute, not on every request.
const TOUCH_AFTER_SECONDS = 60;

/**
 * The signed-in user as the database says now, not as the session cookie remembers (docs/security.md R22): a disabled account,
 * a changed password or a lowered role takes effect on the very next request, and so does an ended session
 * (docs/accounts.md §5): one statement reads the session row, the user and what the two-factor policy asks.
 */
export const getCurrentUser = cache(async function getCurrentUser(): Promise<CurrentUser | null> {
  await connection(); // per request, never at build time
  const session = await getServerSession(getAuthOptions());
  if (!session?.user?.id || !session.sessionId) return null;
  const found = await findLiveSessionUser({ db: await getDb(), sessionId: session.sessionId, touchAfterSeconds: TOUCH_AFTER_SECONDS });
  if (!found || found.user.id !== session.user.id) return null;
  const { user } = found;
  if (user.disabledAt || !user.passwordHash || user.sessionVersion !== session.sessionVersion) return null;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    mustChangePassword: user.mustChangePassword,
    sessionId: found.session.id,
    enrolmentDue: isEnrolmentDue(effectivePolicy(found.policy), user.role, found.hasSecondFactor),
  };
});

/** For loaders, actions and route handlers: throws AppError unauthenticated / forbidden. */
export async function requireRole(required: UserRole, options?: { allowPasswordChange?: boolean; allowEnrolment?: boolean }): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) throw new AppError("unauthenticated", "Your session has ended. Please sign in again.");
  if (user.mustChangePassword && !options?.allowPasswordChange) {
    throw new AppError("forbidden:password_change", "Choose a new password before you continue.");
  }
  if (user.enrolmentDue && !options?.allowEnrolment) {
    throw new AppError("forbidden:two_factor_enrolment", "Set up two-factor sign-in before you continue.");
  }
  if (!hasRole(user.role, required)) throw new AppError("forbidden", "Your role does not allow this.");
  return user;
}

/** For pages and layouts: sends the visitor to sign in, to change a one-time password, or to the 403 page. */
export async function requirePageRole(required: UserRole): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  if (user.mustChangePassword) redirect("/change-password");
  if (user.enrolmentDue) redirect("/two-factor");
  if (!hasRole(user.role, required)) forbidden();
  return user;
}

export async function getClientIp(): Promise<string> {
  return (await headers()).get(CLIENT_IP_HEADER) ?? "unknown";
}
