import "server-only";
import type { NextAuthOptions } from "next-auth";
import type { JWT } from "next-auth/jwt";
import CredentialsProvider from "next-auth/providers/credentials";
import { getEnv } from "../env";
import { logger } from "../log";
import { sameOriginRedirect } from "./callback-url";
import { parseCredentials, verifyCredentials, type SignedInUser } from "./credentials";
import { sessionCookie, sessionMaxAgeSeconds } from "./session-cookie";

/** The error code next-auth hands back (`?error=AccountDisabled`) when a disabled user's password was right. */
export const ACCOUNT_DISABLED = "AccountDisabled";

/**
 * next-auth's credentials check. Throttling happened before this, in the route (lib/auth/sign-in-guard.ts),
 * on the same parsed email.
 */
export async function authorizeCredentials(input: unknown): Promise<SignedInUser | null> {
  const credentials = parseCredentials(input);
  if (!credentials) return null;
  const verdict = await verifyCredentials(credentials);
  if (verdict.ok) return verdict.user;
  if (verdict.reason === "disabled") throw new Error(ACCOUNT_DISABLED);
  return null;
}

/** The session JWT's claims: next-auth's defaults plus the user id and the session_version it was issued for. */
export function sessionTokenFor(user: SignedInUser): JWT {
  return { name: user.name, email: user.email, sub: user.id, uid: user.id, sv: user.sessionVersion };
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
      jwt({ token, user }) {
        return user ? { ...token, ...sessionTokenFor(user) } : token;
      },
      session({ session, token }) {
        session.user = { id: token.uid, email: token.email ?? "", name: token.name ?? "" };
        session.sessionVersion = token.sv;
        return session;
      },
      redirect: ({ url, baseUrl }) => sameOriginRedirect(url, baseUrl),
    },
    logger: {
      error: (code, metadata) => logger("next-auth").error({ code, err: metadata instanceof Error ? metadata.message : undefined }, "next-auth error"),
      warn: (code) => logger("next-auth").warn({ code }, "next-auth warning"),
      debug: () => {},
    },
  };
  return cached;
}
