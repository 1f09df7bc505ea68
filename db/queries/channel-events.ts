import "server-only";
import type { Executor } from "../client";
import { channelEvents } from "../schema";

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
  });
}
