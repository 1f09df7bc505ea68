import "server-only";
import { sql } from "drizzle-orm";
import type { Executor } from "../client";
import { channelEvents, webhookEvents } from "../schema";

export type NewChannelEvent = {
  hubId: string;
  channelId: string;
  event: string;
  status?: string | null;
  source: string;
  webhookEventId?: string | null;
  data?: Record<string, unknown> | null;
  occurredAt: Date;
};

export async function insertChannelEvent({ db, event }: { db: Executor; event: NewChannelEvent }): Promise<void> {
  await db.insert(channelEvents).values({
    hubId: event.hubId,
    channelId: event.channelId,
    event: event.event,
    status: event.status ?? null,
    source: event.source,
    webhookEventId: event.webhookEventId ?? null,
    data: event.data ?? null,
    occurredAt: event.occurredAt,
    // A line written while an operator's replay of its delivery is processed carries that replay's mark (the
    // delivery holds its newest replay): the line keeps the event's own time, and the mark says it came again.
    ...(event.webhookEventId
      ? {
          replayedAt: sql`(select ${webhookEvents.replayedAt} from ${webhookEvents} where ${webhookEvents.id} = ${event.webhookEventId})`,
          replayedBy: sql`(select ${webhookEvents.replayedBy} from ${webhookEvents} where ${webhookEvents.id} = ${event.webhookEventId})`,
        }
      : {}),
  });
}
