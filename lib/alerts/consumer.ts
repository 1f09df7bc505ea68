import "server-only";
import type { Database } from "@/db/client";
import { insertAlert, listMatchingAlertRules } from "@/db/queries/alerts";
import type { PlatformEvent } from "@/db/schema";
import { publicBaseUrl } from "../env";
import type { EventConsumer } from "../events/dispatch";
import { conditionOf } from "./conditions";
import { queueAlertDelivery } from "./deliver";
import { renderAlert } from "./message";

/**
 * The staff alerts' event consumer (docs/alerts.md §2, docs/events.md §3). For each enabled rule of the event's hub
 * whose conditions the event meets, it records the alert once (unique per rule and event) and, for an immediate
 * rule, queues one delivery per destination, all in one transaction: a re-run of the dispatch or a replayed event
 * finds the alert recorded and sends nothing again. A digest rule's alert waits for its daily digest (digest.ts).
 */
export function alertsConsumer(deps: { getDb: () => Promise<Database> }): EventConsumer {
  return {
    name: "alerts",
    consume: async (event: PlatformEvent) => {
      const condition = conditionOf(event);
      if (!condition || !event.hubId) return;
      const db = await deps.getDb();
      const rules = await listMatchingAlertRules({ db, hubId: event.hubId, condition });
      if (rules.length === 0) return;
      const message = renderAlert(event, publicBaseUrl());
      const hubId = event.hubId;
      await db.transaction(async (tx) => {
        for (const rule of rules) {
          const alert = await insertAlert({
            db: tx,
            alert: { ruleId: rule.id, hubId, eventId: event.id, eventType: event.type, title: message.title, text: message.text, link: message.link },
          });
          if (!alert || rule.mode !== "immediate") continue;
          for (const destination of rule.destinations) {
            await queueAlertDelivery(tx, destination, {
              hubId,
              ruleId: rule.id,
              alertId: alert.id,
              kind: "alert",
              key: `alert:${alert.id}`,
              subject: `[Alert] ${message.title}`,
              items: [message],
            });
          }
        }
      });
    },
  };
}
