import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { liveChangeSchema, MAX_NOTIFY_PAYLOAD_BYTES } from "./change-schema";
import { LIVE_CHANNEL, type LiveChange } from "./types";

/**
 * Announces a change to every portal instance. Call it with the transaction that made the change: PostgreSQL
 * (and PGlite) hold the notification until commit and drop it on rollback. A malformed change throws, which
 * rolls that transaction back: a publisher bug is loud, never a silent gap in the live views.
 */
export async function publishChange(db: Executor, change: LiveChange): Promise<void> {
  const payload = JSON.stringify(liveChangeSchema.parse(change));
  if (Buffer.byteLength(payload, "utf8") > MAX_NOTIFY_PAYLOAD_BYTES) {
    throw new Error(`live change payload is over ${MAX_NOTIFY_PAYLOAD_BYTES} bytes`);
  }
  await db.execute(sql`select pg_notify(${LIVE_CHANNEL}, ${payload})`);
}
