import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Database } from "@/db/client";
import {
  deleteAlertDestination,
  deleteAlertRule,
  findAlertDestination,
  findAlertRule,
  insertAlertDelivery,
  insertAlertDestination,
  insertAlertRule,
  listAlertHistory,
  listAlertRules,
  updateAlertRule,
  type AlertHistoryRow,
  type AlertRuleWithDestinations,
} from "@/db/queries/alerts";
import { findHubById } from "@/db/queries/hubs";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { publicBaseUrl } from "../env";
import { AppError, fieldErrorsOf } from "../errors";
import { failureMessage } from "../jobs/failure";
import { mailConfigured, sendMail } from "../mail/send";
import { ALERT_CONDITIONS } from "./conditions";
import { alertMail, slackMessage, type AlertMessage } from "./message";
import { openSlackUrl, postToSlack, sealSlackUrl, slackLabel, slackUrlProblem } from "./slack";

// Alert rules and destinations as an admin sets them in Settings (docs/alerts.md §1); every change and every test
// send is in the audit log. Callers check the role (validatedAction "admin").

const invalid = (issues: z.core.$ZodIssue[]) => new AppError("invalid:alert_rule", "Please correct the highlighted fields.", { fieldErrors: fieldErrorsOf(issues) });

export const ruleInputSchema = z.object({
  name: z.string().trim().min(1, "Give the rule a name.").max(100, "At most 100 characters."),
  conditions: z.array(z.enum(ALERT_CONDITIONS)).min(1, "Choose at least one condition.").transform((c) => ALERT_CONDITIONS.filter((x) => c.includes(x))),
  mode: z.enum(["immediate", "digest"], "Choose immediate or daily digest."),
  digestHour: z.preprocess((v) => (v === "" || v === undefined || v === null ? 7 : v), z.coerce.number().int("A whole hour.").min(0, "0 to 23.").max(23, "0 to 23.")),
  enabled: z.boolean().default(true),
});
export type RuleInput = z.input<typeof ruleInputSchema>;

async function dbOf(deps: { db?: Database }) {
  return deps.db ?? (await getDb());
}

export async function createAlertRule(actor: Actor, hubId: string, input: RuleInput, deps: { db?: Database } = {}) {
  const parsed = ruleInputSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error.issues);
  const db = await dbOf(deps);
  if (!z.uuid().safeParse(hubId).success || !(await findHubById({ db, id: hubId }))) {
    throw new AppError("invalid:alert_rule", "Please correct the highlighted fields.", { fieldErrors: { hubId: ["Choose a hub."] } });
  }
  return db.transaction(async (tx) => {
    const rule = await insertAlertRule({ db: tx, rule: { hubId, ...parsed.data } });
    await audit(tx, { actor, action: "alert_rule.created", targetType: "alert_rule", targetId: rule.id, hubId, detail: { ...parsed.data } });
    return rule;
  });
}

export async function updateAlertRuleSettings(actor: Actor, ruleId: string, input: RuleInput, deps: { db?: Database } = {}) {
  const parsed = ruleInputSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error.issues);
  const db = await dbOf(deps);
  return db.transaction(async (tx) => {
    const before = z.uuid().safeParse(ruleId).success ? await findAlertRule({ db: tx, id: ruleId }) : undefined;
    if (!before) throw new AppError("not_found:alert_rule", "That alert rule does not exist.");
    const rule = (await updateAlertRule({ db: tx, id: ruleId, changes: parsed.data }))!;
    await audit(tx, {
      actor,
      action: "alert_rule.updated",
      targetType: "alert_rule",
      targetId: rule.id,
      hubId: rule.hubId,
      detail: { before: { name: before.name, conditions: before.conditions, mode: before.mode, digestHour: before.digestHour, enabled: before.enabled }, after: parsed.data },
    });
    return rule;
  });
}

export async function removeAlertRule(actor: Actor, ruleId: string, deps: { db?: Database } = {}) {
  const db = await dbOf(deps);
  await db.transaction(async (tx) => {
    const rule = z.uuid().safeParse(ruleId).success ? await deleteAlertRule({ db: tx, id: ruleId }) : undefined;
    if (!rule) throw new AppError("not_found:alert_rule", "That alert rule does not exist.");
    await audit(tx, { actor, action: "alert_rule.deleted", targetType: "alert_rule", targetId: rule.id, hubId: rule.hubId, detail: { name: rule.name } });
  });
}

const destinationSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("email"), target: z.string().trim().toLowerCase().pipe(z.email("Enter an email address.").max(254)) }),
  z.object({ kind: z.literal("slack"), target: z.string().trim().min(1, "Paste the Slack webhook URL.").max(500) }),
]);

export async function addAlertDestination(actor: Actor, ruleId: string, input: { kind: string; target: string }, deps: { db?: Database } = {}) {
  const parsed = destinationSchema.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error.issues);
  const { kind, target } = parsed.data;
  if (kind === "slack") {
    const problem = slackUrlProblem(target);
    if (problem) throw new AppError("invalid:alert_destination", "Please correct the highlighted fields.", { fieldErrors: { target: [problem] } });
  }
  const db = await dbOf(deps);
  return db.transaction(async (tx) => {
    const rule = z.uuid().safeParse(ruleId).success ? await findAlertRule({ db: tx, id: ruleId }) : undefined;
    if (!rule) throw new AppError("not_found:alert_rule", "That alert rule does not exist.");
    // The id is chosen first: the sealed URL's AAD names its row, so it cannot be copied to another (docs/security.md R17).
    const id = randomUUID();
    const destination = await insertAlertDestination({
      db: tx,
      destination:
        kind === "email"
          ? { id, ruleId, kind, email: target, label: target }
          : { id, ruleId, kind, slackUrlEnc: sealSlackUrl(id, target), label: slackLabel(target) },
    });
    await audit(tx, { actor, action: "alert_destination.added", targetType: "alert_destination", targetId: id, hubId: rule.hubId, detail: { ruleId, kind, label: destination.label } });
    return destination;
  });
}

export async function removeAlertDestination(actor: Actor, destinationId: string, deps: { db?: Database } = {}) {
  const db = await dbOf(deps);
  await db.transaction(async (tx) => {
    const found = z.uuid().safeParse(destinationId).success ? await findAlertDestination({ db: tx, id: destinationId }) : undefined;
    if (!found) throw new AppError("not_found:alert_destination", "That destination does not exist.");
    await deleteAlertDestination({ db: tx, id: destinationId });
    await audit(tx, {
      actor,
      action: "alert_destination.removed",
      targetType: "alert_destination",
      targetId: destinationId,
      hubId: found.hubId,
      detail: { ruleId: found.ruleId, kind: found.kind, label: found.label },
    });
  });
}

export type TestOutcome = { sent: boolean; words: string };

/**
 * "Send test": sends a test alert to one destination now and answers what really happened (sent, the SMTP
 * server's refusal, Slack's status and words). The attempt is in the history and the audit log either way.
 */
export async function sendTestAlert(actor: Actor, destinationId: string, deps: { db?: Database } = {}): Promise<TestOutcome> {
  const db = await dbOf(deps);
  const destination = z.uuid().safeParse(destinationId).success ? await findAlertDestination({ db, id: destinationId }) : undefined;
  if (!destination) throw new AppError("not_found:alert_destination", "That destination does not exist.");
  const item: AlertMessage = {
    title: "Test alert from the partner portal",
    text: `${actor.email} pressed "Send test". Alerts of this rule will arrive here like this one.`,
    link: `${publicBaseUrl()}/dashboard/settings/alerts`,
  };
  const subject = "[Alert] Test alert from the partner portal";
  let outcome: TestOutcome;
  let message: string;
  if (destination.kind === "email") {
    const mail = alertMail(destination.email ?? "", subject, [item]);
    message = mail.text;
    if (!mailConfigured()) outcome = { sent: false, words: "Not sent: mail is not configured on this portal (SMTP_URL is not set)." };
    else {
      try {
        await sendMail(mail);
        outcome = { sent: true, words: `Sent to ${destination.label}: the SMTP server accepted it.` };
      } catch (error) {
        outcome = { sent: false, words: `Not sent: the SMTP server refused or could not be reached (${failureMessage(error)}).` };
      }
    }
  } else {
    const slack = slackMessage([item]);
    message = slack.text;
    try {
      await postToSlack(openSlackUrl(destination.id, destination.slackUrlEnc ?? ""), slack);
      outcome = { sent: true, words: `Sent to ${destination.label}: Slack answered 200.` };
    } catch (error) {
      outcome = { sent: false, words: `Not sent: ${failureMessage(error)}.` };
    }
  }
  await db.transaction(async (tx) => {
    await insertAlertDelivery({
      db: tx,
      delivery: {
        hubId: destination.hubId,
        ruleId: destination.ruleId,
        destinationId: destination.id,
        kind: "test",
        channel: destination.kind,
        target: destination.label,
        subject,
        message,
        uniqueKey: `test:${randomUUID()}`,
        status: outcome.sent ? "sent" : "failed",
        attempts: 1,
        lastError: outcome.sent ? null : outcome.words,
        sentAt: outcome.sent ? new Date() : null,
      },
    });
    await audit(tx, {
      actor,
      action: "alert.test_sent",
      targetType: "alert_destination",
      targetId: destination.id,
      hubId: destination.hubId,
      detail: { kind: destination.kind, label: destination.label, sent: outcome.sent, outcome: outcome.words },
    });
  });
  return outcome;
}

export async function loadAlertRules(deps: { db?: Database } = {}): Promise<AlertRuleWithDestinations[]> {
  return listAlertRules({ db: await dbOf(deps) });
}

export type HistoryEntry = AlertHistoryRow & { outcome: "queued" | "retrying" | "sent" | "failed"; detail: string | null; attemptsMade: number };

/**
 * The history list: a mail's outcome is its `mail.send` job's (sent when done, failed when dead, retrying with the
 * last error while attempts remain); a Slack post and a test carry their own.
 */
export async function loadAlertHistory(deps: { db?: Database; limit?: number } = {}): Promise<HistoryEntry[]> {
  const rows = await listAlertHistory({ db: await dbOf(deps), limit: deps.limit ?? 100 });
  return rows.map((row) => {
    if (row.channel === "email" && row.job) {
      const { status, attempts, lastError } = row.job;
      const outcome = status === "done" ? "sent" : status === "dead" ? "failed" : attempts > 0 && lastError ? "retrying" : "queued";
      return { ...row, sentAt: outcome === "sent" ? row.job.finishedAt : null, outcome, detail: outcome === "sent" ? null : lastError, attemptsMade: attempts };
    }
    return { ...row, outcome: row.status, detail: row.lastError, attemptsMade: row.attempts };
  });
}

export { mailConfigured };
