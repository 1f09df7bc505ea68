import "server-only";
import { JOBS_CHANNEL } from "@/db/queries/jobs";
import { countWaitingUnverified, limitStatementTime, webhookDeliveryStatement, type NewWebhookEvent, type StoredDelivery } from "@/db/queries/webhook-events";
import { getDatabaseHandle } from "../db";
import { WEBHOOK_JOB_KEY_PREFIX, WEBHOOK_PROCESS_JOB } from "../jobs/kinds";
import { LIVE_CHANNEL } from "../live/types";
import { RECEIVER_STATEMENT_TIMEOUT_MS, receiverSql } from "./receiver-db";

/**
 * How a verified delivery is stored: the inbox row, its `webhook.process` job (keyed webhookJobKey(id)) and the
 * live notices, in the one statement db/queries/webhook-events.ts writes, built once here.
 */
export const deliveryStatement = webhookDeliveryStatement({
  jobKind: WEBHOOK_PROCESS_JOB,
  jobKeyPrefix: WEBHOOK_JOB_KEY_PREFIX,
  jobsChannel: JOBS_CHANNEL,
  liveChannel: LIVE_CHANNEL,
});

/** The same statement for Meta's WABA webhook deliveries (source `waba`): the WABA receiver's one store (docs/waba-webhook.md §2). */
export const wabaDeliveryStatement = webhookDeliveryStatement({
  jobKind: WEBHOOK_PROCESS_JOB,
  jobKeyPrefix: WEBHOOK_JOB_KEY_PREFIX,
  jobsChannel: JOBS_CHANNEL,
  liveChannel: LIVE_CHANNEL,
  source: "waba",
});

/**
 * One statement: the inbox row, its processing job and the live notice commit together or not at all (docs/security.md R4).
 * Both receivers (partner and WABA) store through here, on the receiver's own pool on PostgreSQL.
 */
export async function storeDelivery(row: NewWebhookEvent, source: "partner" | "waba" = "partner"): Promise<StoredDelivery> {
  const statement = source === "waba" ? wabaDeliveryStatement : deliveryStatement;
  const handle = await getDatabaseHandle();
  const receiver = handle.driver === "postgres" ? receiverSql() : null;
  if (receiver) return statement.runPrepared(receiver, row);
  // PGlite (and a PostgreSQL handle without DATABASE_URL, as in tests): the statement timeout needs a transaction.
  return handle.db.transaction(async (tx) => {
    await limitStatementTime({ db: tx, milliseconds: RECEIVER_STATEMENT_TIMEOUT_MS });
    return statement.run(tx, row);
  });
}

/** How many unverified deliveries of this hub still wait for their confirmation (the receiver's cap). */
export async function countUnverifiedWaiting(hubId: string): Promise<number> {
  const handle = await getDatabaseHandle();
  return countWaitingUnverified({ db: handle.db, hubId });
}
