import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { findUserByEmail, updateUser } from "@/db/queries/users";
import { audit } from "../audit";
import { getDb } from "../db";
import { getEnv } from "../env";
import { logger } from "../log";
import { hashPassword, needsRehash, verifyPassword } from "./password";
import { forgiveLoginAttempts, normaliseEmail } from "./throttle";

const credentialsSchema = z.object({
  email: z.string().trim().max(320),
  password: z.string().max(256),
});

/**
 * Checks email and password. Unknown, disabled and password-less accounts take the same path and time as a
 * wrong password and produce the same generic error (R24). Throttling happens before this, in the route.
 */
export async function authorizeCredentials(input: unknown) {
  const parsed = credentialsSchema.safeParse(input);
  if (!parsed.success) return null;
  const email = normaliseEmail(parsed.data.email);
  const db = await getDb();
  const user = await findUserByEmail({ db, email });
  const usable = user && !user.disabledAt ? user.passwordHash : null;
  const ok = await verifyPassword(usable, parsed.data.password);
  if (!ok || !user) return null;
  await forgiveLoginAttempts(email);
  await updateUser({
    db,
    id: user.id,
    set: {
      lastLoginAt: new Date(),
      ...(needsRehash(user.passwordHash!) ? { passwordHash: await hashPassword(parsed.data.password) } : {}),
    },
  });
  await audit({ actor: { id: user.id, email: user.email }, action: "auth.sign_in", targetType: "user", targetId: user.id });
  return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
}

let cached: NextAuthOptions | undefined;

export function getAuthOptions(): NextAuthOptions {
  if (cached) return cached;
  const env = getEnv();
  const maxAge = Math.round(env.SESSION_MAX_AGE_HOURS * 3600);
  cached = {
    secret: env.NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge, updateAge: 15 * 60 },
    jwt: { maxAge },
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
        if (user) {
          token.uid = user.id;
          token.sv = user.sessionVersion;
        }
        return token;
      },
      session({ session, token }) {
        session.user = { id: token.uid, email: token.email ?? "", name: token.name ?? "" };
        session.sessionVersion = token.sv;
        return session;
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
