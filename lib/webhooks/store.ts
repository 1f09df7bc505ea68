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

/** One statement: the inbox row, its processing job and the live notice commit together or not at all (docs/security.md R4). */
export async function storeDelivery(row: NewWebhookEvent): Promise<StoredDelivery> {
  const handle = await getDatabaseHandle();
  const receiver = handle.driver === "postgres" ? receiverSql() : null;
  if (receiver) return deliveryStatement.runPrepared(receiver, row);
  // PGlite (and a PostgreSQL handle without DATABASE_URL, as in tests): the statement timeout needs a transaction.
  return handle.db.transaction(async (tx) => {
    await limitStatementTime({ db: tx, milliseconds: RECEIVER_STATEMENT_TIMEOUT_MS });
    return deliveryStatement.run(tx, row);
  });
}

/** How many unverified deliveries of this hub still wait for their confirmation (the receiver's cap). */
export async function countUnverifiedWaiting(hubId: string): Promise<number> {
  const handle = await getDatabaseHandle();
  return countWaitingUnverified({ db: handle.db, hubId });
}
