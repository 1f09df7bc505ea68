import "server-only";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { channelEvents, type ChannelEvent } from "../schema";

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

export type ChannelEventCursor = { occurredAt: Date; id: number };

/** A channel's history, newest first, keyset-paged on (occurred_at, id) along channel_events_channel_idx. */
export async function listChannelEvents({
  db,
  channelId,
  before,
  limit,
}: {
  db: Executor;
  channelId: string;
  before?: ChannelEventCursor;
  limit: number;
}): Promise<ChannelEvent[]> {
  return db
    .select()
    .from(channelEvents)
    .where(
      and(
        eq(channelEvents.channelId, channelId),
        before === undefined ? undefined : sql`(${channelEvents.occurredAt}, ${channelEvents.id}) < (${before.occurredAt.toISOString()}::timestamptz, ${before.id})`,
      ),
    )
    .orderBy(desc(channelEvents.occurredAt), desc(channelEvents.id))
    .limit(limit);
}
