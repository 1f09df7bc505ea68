import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getEnv } from "../env";
import { logger } from "../log";
import { sameOriginRedirect } from "./callback-url";
import { parseCredentials, verifyCredentials, type SignedInUser } from "./credentials";
import { sessionCookie, sessionMaxAgeSeconds } from "./session-cookie";
import { sessionTokenFor } from "./session-token";
import { endSessionOfToken, startStaffSession } from "./staff-sessions";

/** The error code next-auth hands back (`?error=AccountDisabled`) when a disabled user's password was right. */
export const ACCOUNT_DISABLED = "AccountDisabled";
/**
 * `?error=SecondFactorRequired`: the password was right, but the account has a second factor, which next-auth's
 * credentials endpoint cannot ask for; the sign-in form can (docs/accounts.md §1).
 */
export const SECOND_FACTOR_REQUIRED = "SecondFactorRequired";

/**
 * next-auth's credentials check. Throttling happened before this, in the route (lib/auth/sign-in-guard.ts),
 * on the same parsed email.
 */
export async function authorizeCredentials(input: unknown): Promise<SignedInUser | null> {
  const credentials = parseCredentials(input);
  if (!credentials) return null;
  const verdict = await verifyCredentials(credentials);
  if (verdict.ok && verdict.secondFactorDue) throw new Error(SECOND_FACTOR_REQUIRED);
  if (verdict.ok) return verdict.user;
  if (verdict.reason === "disabled") throw new Error(ACCOUNT_DISABLED);
  return null;
}

let cached: NextAuthOptions | undefined;

export function getAuthOptions(): NextAuthOptions {
  if (cached) return cached;
  const env = getEnv();
  const maxAge = sessionMaxAgeSeconds(env);
  const cookie = sessionCookie(env);
  cached = {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge, updateAge: 15 * 60 },
    jwt: { maxAge },
    useSecureCookies: cookie.options.secure,
    cookies: { sessionToken: cookie },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials) => authorizeCredentials(credentials),
      }),
    ],
    callbacks: {
      // A sign-in through next-auth's own endpoint starts a staff session like the sign-in form does.
      async jwt({ token, user }) {
        if (!user) return token;
        const session = await startStaffSession(user, "password");
        return { ...token, ...sessionTokenFor(user, session.id) };
      },
      session({ session, token }) {
        session.user = { id: token.uid, email: token.email ?? "", name: token.name ?? "" };
        session.sessionVersion = token.sv;
        session.sessionId = token.sid;
        return session;
      },
      redirect: ({ url, baseUrl }) => sameOriginRedirect(url, baseUrl),
    },
    events: {
      // Signing out ends the session row too, so the cookie's token is dead even if a copy of it was kept.
      signOut: async ({ token }) => {
        if (token?.sid && token.uid) await endSessionOfToken(token.uid, token.sid);
      },
    },
    logger: {
      error: (code, metadata) => logger("next-auth").error({ code, err: metadata instanceof Error ? metadata.message : undefined }, "next-auth error"),
      warn: (code) => logger("next-auth").warn({ code }, "next-auth warning"),
      debug: () => {},
    },
  };
  return cached;
}
