import "server-only";
import { and, asc, desc, eq, gte, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Executor } from "../client";
import {
  alertDeliveries,
  alertDestinations,
  alertDigests,
  alertRules,
  alerts,
  hubs,
  jobs,
  type Alert,
  type AlertDelivery,
  type AlertDestination,
  type AlertRule,
} from "../schema";

// Staff alerts (docs/alerts.md): rules, destinations, matched alerts, digests and the delivery history.

export type NewAlertRule = typeof alertRules.$inferInsert;
export type NewAlertDestination = typeof alertDestinations.$inferInsert;
export type NewAlert = typeof alerts.$inferInsert;
export type NewAlertDelivery = typeof alertDeliveries.$inferInsert;

export async function insertAlertRule({ db, rule }: { db: Executor; rule: NewAlertRule }): Promise<AlertRule> {
  const [row] = await db.insert(alertRules).values(rule).returning();
  if (!row) throw new Error("insertAlertRule returned no row");
  return row;
}

export async function updateAlertRule({
  db,
  id,
  changes,
}: {
  db: Executor;
  id: string;
  changes: Pick<AlertRule, "name" | "conditions" | "mode" | "digestHour" | "enabled">;
}): Promise<AlertRule | undefined> {
  const [row] = await db.update(alertRules).set({ ...changes, updatedAt: new Date() }).where(eq(alertRules.id, id)).returning();
  return row;
}

export async function deleteAlertRule({ db, id }: { db: Executor; id: string }): Promise<AlertRule | undefined> {
  const [row] = await db.delete(alertRules).where(eq(alertRules.id, id)).returning();
  return row;
}

export async function findAlertRule({ db, id }: { db: Executor; id: string }): Promise<AlertRule | undefined> {
  const [row] = await db.select().from(alertRules).where(eq(alertRules.id, id)).limit(1);
  return row;
}

export type AlertRuleWithDestinations = AlertRule & { hubName: string; destinations: AlertDestination[] };

/** Every rule with its hub's name and its destinations (the Settings page). */
export async function listAlertRules({ db }: { db: Executor }): Promise<AlertRuleWithDestinations[]> {
  const rules = await db
    .select({ rule: alertRules, hubName: hubs.name })
    .from(alertRules)
    .innerJoin(hubs, eq(hubs.id, alertRules.hubId))
    .orderBy(asc(hubs.name), asc(alertRules.createdAt), asc(alertRules.id));
  if (rules.length === 0) return [];
  const destinations = await db
    .select()
    .from(alertDestinations)
    .where(inArray(alertDestinations.ruleId, rules.map((r) => r.rule.id)))
    .orderBy(asc(alertDestinations.createdAt), asc(alertDestinations.id));
  return rules.map(({ rule, hubName }) => ({ ...rule, hubName, destinations: destinations.filter((d) => d.ruleId === rule.id) }));
}

/** The hub's enabled rules with a condition among `conditions`, with their destinations (the event consumer). */
export async function listMatchingAlertRules({
  db,
  hubId,
  condition,
}: {
  db: Executor;
  hubId: string;
  condition: string;
}): Promise<(AlertRule & { destinations: AlertDestination[] })[]> {
  const rules = await db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.hubId, hubId), eq(alertRules.enabled, true), sql`${alertRules.conditions} @> ${JSON.stringify([condition])}::jsonb`))
    .orderBy(asc(alertRules.createdAt), asc(alertRules.id));
  if (rules.length === 0) return [];
  const destinations = await db.select().from(alertDestinations).where(inArray(alertDestinations.ruleId, rules.map((r) => r.id)));
  return rules.map((rule) => ({ ...rule, destinations: destinations.filter((d) => d.ruleId === rule.id) }));
}

/** Enabled digest rules whose hour has come on `now`'s UTC day (the every-minute digest task). */
export async function listDueDigestRules({ db, hour }: { db: Executor; hour: number }): Promise<AlertRule[]> {
  return db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.enabled, true), eq(alertRules.mode, "digest"), lte(alertRules.digestHour, hour)));
}

export async function listRuleDestinations({ db, ruleId }: { db: Executor; ruleId: string }): Promise<AlertDestination[]> {
  return db.select().from(alertDestinations).where(eq(alertDestinations.ruleId, ruleId)).orderBy(asc(alertDestinations.createdAt));
}

export async function insertAlertDestination({ db, destination }: { db: Executor; destination: NewAlertDestination }): Promise<AlertDestination> {
  const [row] = await db.insert(alertDestinations).values(destination).returning();
  if (!row) throw new Error("insertAlertDestination returned no row");
  return row;
}

export async function setAlertDestinationSecret({ db, id, slackUrlEnc }: { db: Executor; id: string; slackUrlEnc: string }): Promise<void> {
  await db.update(alertDestinations).set({ slackUrlEnc }).where(eq(alertDestinations.id, id));
}

export async function findAlertDestination({ db, id }: { db: Executor; id: string }): Promise<(AlertDestination & { hubId: string }) | undefined> {
  const [row] = await db
    .select({ destination: alertDestinations, hubId: alertRules.hubId })
    .from(alertDestinations)
    .innerJoin(alertRules, eq(alertRules.id, alertDestinations.ruleId))
    .where(eq(alertDestinations.id, id))
    .limit(1);
  return row ? { ...row.destination, hubId: row.hubId } : undefined;
}

export async function deleteAlertDestination({ db, id }: { db: Executor; id: string }): Promise<AlertDestination | undefined> {
  const [row] = await db.delete(alertDestinations).where(eq(alertDestinations.id, id)).returning();
  return row;
}

/** Undefined when the rule already has an alert for this event (a re-run of the dispatch, a replay). */
export async function insertAlert({ db, alert }: { db: Executor; alert: NewAlert }): Promise<Alert | undefined> {
  const [row] = await db.insert(alerts).values(alert).onConflictDoNothing({ target: [alerts.ruleId, alerts.eventId] }).returning();
  return row;
}

/** Claims a rule's digest of `day` once; false when it was made already. */
export async function claimAlertDigest({ db, ruleId, day }: { db: Executor; ruleId: string; day: string }): Promise<boolean> {
  const [row] = await db.insert(alertDigests).values({ ruleId, day, alertCount: 0 }).onConflictDoNothing().returning({ day: alertDigests.day });
  return Boolean(row);
}

/** Takes the rule's waiting alerts (at most `since` old, up to `until`) into the digest of `day`; returns them oldest first. */
export async function takeWaitingAlerts({ db, ruleId, day, since, until }: { db: Executor; ruleId: string; day: string; since: Date; until: Date }): Promise<Alert[]> {
  const taken = await db
    .update(alerts)
    .set({ digestDay: day })
    .where(and(eq(alerts.ruleId, ruleId), isNull(alerts.digestDay), gte(alerts.createdAt, since), lte(alerts.createdAt, until)))
    .returning();
  await db.update(alertDigests).set({ alertCount: taken.length }).where(and(eq(alertDigests.ruleId, ruleId), eq(alertDigests.day, day)));
  return taken.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
}

/** Undefined when a delivery with this key exists (once per occurrence and destination). */
export async function insertAlertDelivery({ db, delivery }: { db: Executor; delivery: NewAlertDelivery }): Promise<AlertDelivery | undefined> {
  const [row] = await db.insert(alertDeliveries).values(delivery).onConflictDoNothing({ target: alertDeliveries.uniqueKey }).returning();
  return row;
}

export async function setAlertDeliveryJob({ db, id, jobId }: { db: Executor; id: string; jobId: string }): Promise<void> {
  await db.update(alertDeliveries).set({ jobId }).where(eq(alertDeliveries.id, id));
}

export async function findAlertDelivery({ db, id }: { db: Executor; id: string }): Promise<AlertDelivery | undefined> {
  const [row] = await db.select().from(alertDeliveries).where(eq(alertDeliveries.id, id)).limit(1);
  return row;
}

export async function recordAlertDeliveryOutcome({
  db,
  id,
  outcome,
}: {
  db: Executor;
  id: string;
  outcome: { status: AlertDelivery["status"]; attempts: number; error: string | null; at: Date };
}): Promise<void> {
  await db
    .update(alertDeliveries)
    .set({ status: outcome.status, attempts: outcome.attempts, lastError: outcome.error, sentAt: outcome.status === "sent" ? outcome.at : null })
    .where(eq(alertDeliveries.id, id));
}

export type AlertHistoryRow = AlertDelivery & {
  hubName: string;
  ruleName: string | null;
  job: { status: string; attempts: number; lastError: string | null; finishedAt: Date | null } | null;
};

/** The newest deliveries first, with the job that carries a mail (its outcome is the job's). */
export async function listAlertHistory({ db, limit }: { db: Executor; limit: number }): Promise<AlertHistoryRow[]> {
  const rows = await db
    .select({
      delivery: alertDeliveries,
      hubName: hubs.name,
      ruleName: alertRules.name,
      jobStatus: jobs.status,
      jobAttempts: jobs.attempts,
      jobError: jobs.lastError,
      jobFinishedAt: jobs.finishedAt,
    })
    .from(alertDeliveries)
    .innerJoin(hubs, eq(hubs.id, alertDeliveries.hubId))
    .leftJoin(alertRules, eq(alertRules.id, alertDeliveries.ruleId))
    .leftJoin(jobs, eq(jobs.id, alertDeliveries.jobId))
    .orderBy(desc(alertDeliveries.createdAt), desc(alertDeliveries.id))
    .limit(limit);
  return rows.map((r) => ({
    ...r.delivery,
    hubName: r.hubName,
    ruleName: r.ruleName,
    job: r.jobStatus === null ? null : { status: r.jobStatus, attempts: r.jobAttempts ?? 0, lastError: r.jobError, finishedAt: r.jobFinishedAt },
  }));
}
