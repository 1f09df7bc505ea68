import "server-only";
import { sql } from "drizzle-orm";
import { getDatabaseHandle } from "./db";
import { getEnv } from "./env";

export type Health = { status: "ok" | "error"; db: "pglite" | "postgres" };

/** Readiness: the database answers a trivial query within 2 s. */
export async function checkHealth(): Promise<Health> {
  const driver = getEnv().dbDriver;
  try {
    const probe = (async () => {
      const { db } = await getDatabaseHandle();
      await db.execute(sql`select 1`);
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("database probe timed out")), 2_000);
    });
    await Promise.race([probe, timeout]).finally(() => clearTimeout(timer));
    return { status: "ok", db: driver };
  } catch {
    return { status: "error", db: driver };
  }
}
