import "server-only";
import type { Executor } from "@/db/client";
import { insertAlertDelivery, setAlertDeliveryJob } from "@/db/queries/alerts";
import type { AlertDestination } from "@/db/schema";
import { enqueueJob } from "../jobs/enqueue";
import { enqueueMail } from "../mail/queue";
import { alertMail, slackMessage, type AlertMessage } from "./message";

/** A Slack post is retried with the runner's backoff (5 s, 5 min, 30 min, 2 h, 5 h …), then shows as failed. */
export const SLACK_MAX_ATTEMPTS = 6;

export type QueuedAlert = {
  hubId: string;
  ruleId: string;
  alertId?: string;
  kind: "alert" | "digest";
  /** Once per occurrence and destination: a second queue with this key does nothing. */
  key: string;
  subject: string;
  intro?: string;
  items: AlertMessage[];
};

/**
 * Queues one alert (or digest) to one destination in the caller's transaction (docs/security.md R8): the history
 * row and its job commit with the alert, or not at all. Mail goes through lib/mail's `mail.send` job; Slack through
 * `alert.slack`, whose payload names the delivery only, since the webhook URL is a credential (docs/mail.md §2).
 */
export async function queueAlertDelivery(tx: Executor, destination: AlertDestination, alert: QueuedAlert): Promise<boolean> {
  const uniqueKey = `${alert.key}:${destination.id}`;
  const mail = destination.kind === "email" && destination.email ? alertMail(destination.email, alert.subject, alert.items, alert.intro) : null;
  const delivery = await insertAlertDelivery({
    db: tx,
    delivery: {
      hubId: alert.hubId,
      ruleId: alert.ruleId,
      destinationId: destination.id,
      alertId: alert.alertId ?? null,
      kind: alert.kind,
      channel: destination.kind,
      target: destination.label,
      subject: alert.subject,
      message: mail ? mail.text : slackMessage(alert.items, alert.intro).text,
      uniqueKey,
    },
  });
  if (!delivery) return false;
  const job =
    mail
      ? await enqueueMail(tx, mail, { uniqueKey })
      : await enqueueJob(tx, { kind: "alert.slack", payload: { deliveryId: delivery.id }, uniqueKey: `alert.slack:${delivery.id}`, maxAttempts: SLACK_MAX_ATTEMPTS });
  await setAlertDeliveryJob({ db: tx, id: delivery.id, jobId: job.id });
  return true;
}
