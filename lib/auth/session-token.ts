import type { JWT } from "next-auth/jwt";
import type { SignedInUser } from "./credentials";

/** The session JWT's claims: next-auth's defaults, the user id, its session_version and the staff session row. */
export function sessionTokenFor(user: SignedInUser, sessionId: string): JWT {
  return { name: user.name, email: user.email, sub: user.id, uid: user.id, sv: user.sessionVersion, sid: sessionId };
}
