import "server-only";
import type { Executor } from "@/db/client";
import { claimAlertDigest, listDueDigestRules, listRuleDestinations, takeWaitingAlerts } from "@/db/queries/alerts";
import { queueAlertDelivery } from "./deliver";

/** A digest collects what waited at most this long; anything older was left by a rule that was off for days. */
const DIGEST_WINDOW_MS = 7 * 86_400_000;

/**
 * The every-minute digest task (lib/job-registry.ts, docs/alerts.md §4). Once a UTC day per digest rule, from its
 * hour on, it takes the rule's waiting alerts into one digest and queues it to every destination, in one
 * transaction: the day's digest row is claimed first (its primary key), so several instances or a second minute
 * make it once, and an alert belongs to one digest only. A day with nothing waiting sends nothing. Returns how
 * many digests were queued.
 */
export async function sendDailyDigests({ db, now }: { db: Executor; now: Date }): Promise<number> {
  const day = now.toISOString().slice(0, 10);
  let sent = 0;
  for (const rule of await listDueDigestRules({ db, hour: now.getUTCHours() })) {
    const queued = await db.transaction(async (tx) => {
      if (!(await claimAlertDigest({ db: tx, ruleId: rule.id, day }))) return false;
      const items = await takeWaitingAlerts({ db: tx, ruleId: rule.id, day, since: new Date(now.getTime() - DIGEST_WINDOW_MS), until: now });
      if (items.length === 0) return false;
      const subject = `[Alert digest] ${rule.name}: ${items.length} alert${items.length === 1 ? "" : "s"} (${day})`;
      for (const destination of await listRuleDestinations({ db: tx, ruleId: rule.id })) {
        await queueAlertDelivery(tx, destination, {
          hubId: rule.hubId,
          ruleId: rule.id,
          kind: "digest",
          key: `digest:${rule.id}:${day}`,
          subject,
          intro: `${items.length} alert${items.length === 1 ? "" : "s"} of the rule "${rule.name}" since the last digest.`,
          items: items.map((a) => ({ title: a.title, text: a.text, link: a.link })),
        });
      }
      return true;
    });
    if (queued) sent++;
  }
  return sent;
}
