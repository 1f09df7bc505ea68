import "server-only";
import { clearAttempts, registerAttempt } from "@/db/queries/throttle";
import { getDb } from "../db";
import { getEnv } from "../env";

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts a sign-in attempt against the email and the client IP before any password is checked (docs/security.md R24).
 * Counted in the database, so the limit holds across portal instances.
 */
export async function registerLoginAttempt({ email, ip }: { email: string; ip: string }): Promise<ThrottleVerdict> {
  const env = getEnv();
  const db = await getDb();
  const windowSeconds = env.LOGIN_WINDOW_MINUTES * 60;
  const byEmail = await registerAttempt({ db, key: `email:${normaliseEmail(email)}`, windowSeconds });
  const byIp = await registerAttempt({ db, key: `ip:${ip}`, windowSeconds });
  const over = [
    byEmail.attempts > env.LOGIN_MAX_ATTEMPTS ? byEmail.retryAfterSeconds : 0,
    byIp.attempts > env.LOGIN_IP_MAX_ATTEMPTS ? byIp.retryAfterSeconds : 0,
  ];
  const retryAfterSeconds = Math.max(...over);
  return retryAfterSeconds > 0 ? { allowed: false, retryAfterSeconds } : { allowed: true };
}

/** A successful sign-in forgives the email's earlier failures (not the IP's). */
export async function forgiveLoginAttempts(email: string): Promise<void> {
  await clearAttempts({ db: await getDb(), key: `email:${normaliseEmail(email)}` });
}
