import "server-only";
import { encode } from "next-auth/jwt";
import { cookies } from "next/headers";
import { getEnv } from "../env";
import type { SignedInUser } from "./credentials";
import { sessionTokenFor } from "./options";
import { sessionCookie, sessionMaxAgeSeconds } from "./session-cookie";

/**
 * Sets the session cookie for `user` from a server action: the same JWT next-auth issues at sign-in, carrying
 * the user's current session_version. A password change uses it to keep the browser that made the change
 * signed in while every other session, still on the old version, ends (docs/security.md R22).
 */
export async function issueSession(user: SignedInUser): Promise<void> {
  const env = getEnv();
  const maxAge = sessionMaxAgeSeconds(env);
  const cookie = sessionCookie(env);
  const value = await encode({ token: sessionTokenFor(user), secret: env.NEXTAUTH_SECRET, maxAge });
  (await cookies()).set(cookie.name, value, { ...cookie.options, maxAge });
}
