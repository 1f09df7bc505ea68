import "server-only";
import { insertChannelEvent } from "@/db/queries/channel-events";
import type { Executor } from "@/db/client";
import type { Channel, Hub } from "@/db/schema";

// Meta's quality rating and messaging limit tier (docs/channel-lifecycle.md §5) change over a number's life, from
// whichever source reports them: the channel object (partner events, reconcile), the partner's quality event, or
// Meta's phone_number_quality_update. Each change is one history row of its own with the value before and after,
// so the channel page shows when a number dropped to YELLOW or got a higher tier, not only the current value.

export const QUALITY_CHANGED_EVENT = "quality_rating_changed";
export const LIMIT_CHANGED_EVENT = "messaging_limit_changed";

export type SignalChangeContext = { source: string; webhookEventId?: string; occurredAt: Date };

/** One history row per signal whose stored value changes (`after` holds the values being written; undefined: untouched). */
export async function recordSignalChanges(
  tx: Executor,
  hub: Pick<Hub, "id">,
  before: Pick<Channel, "id" | "status" | "qualityRating" | "messagingLimit">,
  after: { qualityRating?: string | null; messagingLimit?: string | null },
  ctx: SignalChangeContext,
): Promise<number> {
  let written = 0;
  const changes: [string, string | null, string | null | undefined][] = [
    [QUALITY_CHANGED_EVENT, before.qualityRating, after.qualityRating],
    [LIMIT_CHANGED_EVENT, before.messagingLimit, after.messagingLimit],
  ];
  for (const [event, from, to] of changes) {
    if (to === undefined || to === null || to === from) continue;
    await insertChannelEvent({
      db: tx,
      event: { hubId: hub.id, channelId: before.id, event, status: before.status, source: ctx.source, webhookEventId: ctx.webhookEventId, data: { from, to }, occurredAt: ctx.occurredAt },
    });
    written++;
  }
  return written;
}

/** The history line's words for a signal change, or null for any other event. */
export function signalChangeWords(event: string, data: unknown): string | null {
  if (event !== QUALITY_CHANGED_EVENT && event !== LIMIT_CHANGED_EVENT) return null;
  const d = (data ?? {}) as { from?: unknown; to?: unknown };
  const what = event === QUALITY_CHANGED_EVENT ? "Quality rating" : "Messaging limit";
  const from = typeof d.from === "string" ? d.from : null;
  const to = typeof d.to === "string" ? d.to : "?";
  return from ? `${what} ${from} → ${to}` : `${what} ${to}`;
}
