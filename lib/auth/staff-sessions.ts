import "server-only";
import { headers } from "next/headers";
import { encode } from "next-auth/jwt";
import { cookies } from "next/headers";
import { endSession, endSessionsOf, hasSessionFromBrowser, insertStaffSession, listLiveSessions } from "@/db/queries/staff-sessions";
import type { StaffSession } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { getEnv, publicBaseUrl } from "../env";
import { AppError } from "../errors";
import { CLIENT_IP_HEADER } from "../http/client-ip";
import { enqueueMail } from "../mail/queue";
import { mailConfigured, type Mail } from "../mail/send";
import type { SignedInUser } from "./credentials";
import { readFlowCookie, setFlowCookie } from "./flow-cookies";
import { sessionTokenFor } from "./session-token";
import { sessionCookie, sessionMaxAgeSeconds } from "./session-cookie";
import { newToken, sha256 } from "./tokens";
import { describeBrowser } from "./user-agent";

// Server-side staff sessions (docs/accounts.md §5): every sign-in writes a staff_sessions row and the session JWT
// carries its id, so a user sees where they are signed in and any session can be ended; getCurrentUser() refuses
// a token whose row has ended on its very next request.

export type SignInMethod = "password" | "password+totp" | "password+recovery_code" | "password+passkey" | "passkey";

async function requestFacts(): Promise<{ ip: string; userAgent: string }> {
  const h = await headers();
  return { ip: h.get(CLIENT_IP_HEADER) ?? "unknown", userAgent: (h.get("user-agent") ?? "").slice(0, 400) };
}

/** The browser's long-lived marker (set when missing): tells a sign-in from a new browser. */
async function browserHash(): Promise<{ hash: string }> {
  let marker = await readFlowCookie("browser");
  if (!marker) {
    marker = newToken();
    await setFlowCookie("browser", marker);
  }
  return { hash: sha256(marker) };
}

/**
 * Writes the session row for a completed sign-in and answers it. A browser this user never signed in from gets
 * the user an email (docs/accounts.md §5), queued in the same transaction as the row (no secret in it), so it
 * goes out exactly when the session exists and is retried if the mail server is down.
 */
export async function startStaffSession(user: SignedInUser, method: SignInMethod): Promise<StaffSession> {
  const db = await getDb();
  const { ip, userAgent } = await requestFacts();
  const { hash } = await browserHash();
  return db.transaction(async (tx) => {
    const known = await hasSessionFromBrowser({ db: tx, userId: user.id, browserHash: hash });
    const session = await insertStaffSession({
      db: tx,
      session: { userId: user.id, method, ip, userAgent, browserHash: hash, expiresAt: new Date(Date.now() + sessionMaxAgeSeconds(getEnv()) * 1000) },
    });
    if (!known && mailConfigured()) await enqueueMail(tx, newBrowserMail(user, session), { uniqueKey: `new-browser:${session.id}` });
    return session;
  });
}

function newBrowserMail(user: SignedInUser, session: StaffSession): Mail {
  const base = publicBaseUrl();
  return {
    to: user.email,
    subject: "New sign-in to your partner portal account",
    text: [
      `Your account ${user.email} was just signed in to ${base} from a browser it was not used from before:`,
      "",
      `  Browser: ${describeBrowser(session.userAgent)}`,
      `  IP address: ${session.ip}`,
      `  Time (UTC): ${session.createdAt.toISOString().replace("T", " ").slice(0, 16)}`,
      "",
      `If this was you, nothing needs doing. If not, end that session and change your password at ${base}/dashboard/account,`,
      "or ask an admin of the portal to end all your sessions.",
    ].join("\n"),
  };
}

/**
 * Sets the session cookie from a server action or route handler: the JWT next-auth issues at sign-in, carrying
 * the user's current session_version and a new staff session (docs/security.md R22, docs/accounts.md §5).
 */
export async function issueSession(user: SignedInUser, method: SignInMethod): Promise<StaffSession> {
  const env = getEnv();
  const maxAge = sessionMaxAgeSeconds(env);
  const cookie = sessionCookie(env);
  const session = await startStaffSession(user, method);
  const value = await encode({ token: sessionTokenFor(user, session.id), secret: env.NEXTAUTH_SECRET, maxAge });
  (await cookies()).set(cookie.name, value, { ...cookie.options, maxAge });
  return session;
}

export async function listMySessions(userId: string): Promise<StaffSession[]> {
  return listLiveSessions({ db: await getDb(), userId });
}

export async function endMySession(actor: Actor, sessionId: string, ip: string): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    if (!(await endSession({ db: tx, userId: actor.id, sessionId, reason: "ended_by_user" }))) {
      throw new AppError("not_found:session", "That session has already ended.");
    }
    await audit(tx, { actor, action: "session.ended", targetType: "session", targetId: sessionId, ip });
  });
}

export async function endMyOtherSessions(actor: Actor, currentSessionId: string, ip: string): Promise<number> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const ended = await endSessionsOf({ db: tx, userId: actor.id, keep: currentSessionId, reason: "ended_by_user" });
    await audit(tx, { actor, action: "session.ended_others", targetType: "user", targetId: actor.id, detail: { ended }, ip });
    return ended;
  });
}

/** An admin ends every session of a user (a lost laptop): each is refused on its next request. */
export async function endAllSessionsOfUser(actor: Actor, userId: string, email: string, ip: string): Promise<number> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const ended = await endSessionsOf({ db: tx, userId, reason: "ended_by_admin" });
    await audit(tx, { actor, action: "session.ended_all_by_admin", targetType: "user", targetId: userId, detail: { email, ended }, ip });
    return ended;
  });
}

/** Sign-out: the session row of the token that signed out ends. */
export async function endSessionOfToken(userId: string, sessionId: string): Promise<void> {
  await endSession({ db: await getDb(), userId, sessionId, reason: "signed_out" });
}
