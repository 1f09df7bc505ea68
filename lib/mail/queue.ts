import "server-only";
import type { Executor } from "@/db/client";
import { enqueueJob } from "../jobs/enqueue";
import type { JobHandler } from "../jobs/types";
import { sendMail, type Mail } from "./send";

/** A queued mail is retried with the job runner's backoff; after its last attempt it shows as a dead job. */
export const MAIL_MAX_ATTEMPTS = 8;

/**
 * Queues a mail in the caller's transaction, so it goes out if and only if the change that caused it commits
 * (docs/security.md R8). The job's payload is stored in plain text: never queue a secret (docs/mail.md).
 * `uniqueKey` makes "once per occurrence" hold across retries of the caller.
 */
export async function enqueueMail(db: Executor, mail: Mail, options: { uniqueKey?: string } = {}) {
  return enqueueJob(db, {
    kind: "mail.send",
    payload: mail,
    uniqueKey: options.uniqueKey ? `mail:${options.uniqueKey}` : undefined,
    maxAttempts: MAIL_MAX_ATTEMPTS,
  });
}

/** Sends a queued mail. With no SMTP configured the job fails (and retries), so the mail is not silently lost. */
export const mailSendHandler: JobHandler<"mail.send"> = async (job) => {
  const result = await sendMail(job.payload);
  if (!result.sent) throw new Error("mail not sent: SMTP_URL is not set");
};
