import "server-only";
import { eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { authThrottle } from "../schema";

/**
 * Counts one attempt for `key` atomically and returns the count within the current window, so concurrent
 * attempts on several instances can never all slip under the limit.
 */
export async function registerAttempt({
  db,
  key,
  windowSeconds,
}: {
  db: Executor;
  key: string;
  windowSeconds: number;
}): Promise<{ attempts: number; retryAfterSeconds: number }> {
  const expired = sql`${authThrottle.windowStartedAt} < now() - make_interval(secs => ${windowSeconds})`;
  const [row] = await db
    .insert(authThrottle)
    .values({ key, attempts: 1 })
    .onConflictDoUpdate({
      target: authThrottle.key,
      set: {
        attempts: sql`case when ${expired} then 1 else ${authThrottle.attempts} + 1 end`,
        windowStartedAt: sql`case when ${expired} then now() else ${authThrottle.windowStartedAt} end`,
      },
    })
    .returning({
      attempts: authThrottle.attempts,
      retryAfterSeconds: sql<number>`greatest(1, ceil(extract(epoch from (${authThrottle.windowStartedAt} + make_interval(secs => ${windowSeconds}) - now()))))::int`,
    });
  if (!row) throw new Error("registerAttempt returned no row");
  return { attempts: row.attempts, retryAfterSeconds: Number(row.retryAfterSeconds) };
}

export async function clearAttempts({ db, key }: { db: Executor; key: string }): Promise<void> {
  await db.delete(authThrottle).where(eq(authThrottle.key, key));
}
