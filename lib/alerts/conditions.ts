import { ALERT_CONDITIONS, type AlertCondition } from "@/db/schema";

// Which of the portal's events (docs/events.md §2) each alert condition an admin can choose stands for
// (docs/alerts.md §1). The groups are the ones issue #13 §4 names.

export { ALERT_CONDITIONS, type AlertCondition };

export const ALERT_CONDITION_WORDS: Record<AlertCondition, string> = {
  number_stuck: "A number is stuck (the Overview's stuck rules)",
  number_restricted: "A number is restricted by Meta or cancelled",
  template_rejected: "A template is rejected, paused or disabled, or re-categorised by Meta",
  delivery_dead: "A received webhook or an outbound event delivery is dead (gave up)",
  endpoint_disabled: "An outbound event endpoint was disabled",
};

/** Template statuses that need a person: Meta refused it, or stopped it being sent. */
const TEMPLATE_ALERT_STATUSES = new Set(["rejected", "paused", "disabled"]);

/** The condition an event meets, or null when no alert is about it. */
export function conditionOf(event: { type: string; data: Record<string, unknown> }): AlertCondition | null {
  switch (event.type) {
    case "channel.stuck":
      return "number_stuck";
    case "channel.restricted":
    case "channel.cancelled":
      return "number_restricted";
    case "template.status_changed":
      return typeof event.data.to === "string" && TEMPLATE_ALERT_STATUSES.has(event.data.to.toLowerCase()) ? "template_rejected" : null;
    case "template.category_changed":
      return "template_rejected";
    case "inbox.webhook_dead":
    case "outbound.delivery_dead":
      return "delivery_dead";
    case "outbound.endpoint_disabled":
      return "endpoint_disabled";
    default:
      return null;
  }
}
