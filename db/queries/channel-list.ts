import "server-only";
import { and, asc, desc, eq, inArray, notInArray, or, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { apiKeys, channelEvents, channels, channelStatusCounts, clients, hubs } from "../schema";
import { beforeCursor, cursorText, decodeCursor, pageOf } from "./paging";

/** Statuses the lifecycle knows; anything else 360dialog sends is listed under "other". */
export const KNOWN_CHANNEL_STATUSES = ["created", "unverified", "submitted", "verified", "ready", "running"] as const;

/**
 * `status` is 360dialog's status, "other", or the end of life ("cancellation_requested", "cancelled": the
 * cancellation column, docs/channel-lifecycle.md §1); `quality` and `limit` match the upper-cased stored values.
 * Each filter walks its own partial index in the list's keyset order (db/schema.ts).
 */
export type ChannelListFilter = { hubId?: string; status?: string; clientId?: string; q?: string; quality?: string; limit?: string };

/** Channels by last status change, newest first, with their client and API-key state. */
export async function listChannelsPage({
  db,
  filter,
  after,
  limit,
}: {
  db: Executor;
  filter: ChannelListFilter;
  after?: string;
  limit: number;
}) {
  const where: SQL[] = [];
  if (filter.hubId) where.push(eq(channels.hubId, filter.hubId));
  if (filter.clientId) where.push(eq(channels.clientId, filter.clientId));
  if (filter.status === "other") where.push(notInArray(channels.status, [...KNOWN_CHANNEL_STATUSES]));
  else if (filter.status === "cancellation_requested") where.push(eq(channels.cancellation, "requested"));
  else if (filter.status === "cancelled") where.push(eq(channels.cancellation, "cancelled"));
  else if (filter.status) where.push(eq(channels.status, filter.status));
  if (filter.quality) where.push(eq(channels.qualityRating, filter.quality.toUpperCase()));
  if (filter.limit) where.push(eq(channels.messagingLimit, filter.limit.toUpperCase()));
  const q = filter.q?.trim();
  if (q) {
    // A channel ID or a phone number: IDs can hold digits too, so both are tried.
    const digits = q.replace(/\D/g, "");
    const byPhone = digits.length >= 4 ? sql`${channels.phoneNumber} like ${`%${digits}%`}` : undefined;
    const match = or(eq(channels.externalId, q), byPhone);
    if (match) where.push(match);
  }
  const cursor = decodeCursor(after);
  if (cursor) where.push(beforeCursor(channels.statusChangedAt, channels.id, cursor));
  const rows = await db
    .select({
      id: channels.id,
      hubId: channels.hubId,
      hubName: hubs.name,
      paymentMode: hubs.paymentMode,
      externalId: channels.externalId,
      phoneNumber: channels.phoneNumber,
      displayName: channels.displayName,
      status: channels.status,
      statusRank: channels.statusRank,
      statusChangedAt: channels.statusChangedAt,
      permission: channels.permission,
      restricted: channels.restricted,
      wabaWebhookState: channels.wabaWebhookState,
      cancellation: channels.cancellation,
      terminatesAt: channels.terminatesAt,
      qualityRating: channels.qualityRating,
      messagingLimit: channels.messagingLimit,
      clientId: channels.clientId,
      clientName: clients.name,
      keyStatus: sql<string | null>`(select ${apiKeys.status} from ${apiKeys} where ${apiKeys.channelId} = ${channels.id} order by (${apiKeys.status} = 'active') desc, ${apiKeys.createdAt} desc limit 1)`,
      keyLast4: sql<string | null>`(select ${apiKeys.last4} from ${apiKeys} where ${apiKeys.channelId} = ${channels.id} and ${apiKeys.status} = 'active' limit 1)`,
      cursorAt: cursorText(channels.statusChangedAt),
    })
    .from(channels)
    .innerJoin(hubs, eq(hubs.id, channels.hubId))
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(channels.statusChangedAt), desc(channels.id))
    .limit(limit + 1);
  return pageOf(rows, limit);
}

export async function listChannelsOfClient({ db, clientId }: { db: Executor; clientId: string }) {
  return (await listChannelsPage({ db, filter: { clientId }, limit: 200 })).rows;
}

/** A client's channel history, oldest first. */
export async function listChannelTimeline({ db, channelIds, limit = 500 }: { db: Executor; channelIds: string[]; limit?: number }) {
  if (channelIds.length === 0) return [];
  return db
    .select({
      id: channelEvents.id,
      channelId: channelEvents.channelId,
      phoneNumber: channels.phoneNumber,
      event: channelEvents.event,
      status: channelEvents.status,
      source: channelEvents.source,
      data: channelEvents.data,
      occurredAt: channelEvents.occurredAt,
      replayedAt: channelEvents.replayedAt,
      replayedBy: channelEvents.replayedBy,
    })
    .from(channelEvents)
    .innerJoin(channels, eq(channels.id, channelEvents.channelId))
    .where(inArray(channelEvents.channelId, channelIds))
    .orderBy(asc(channelEvents.occurredAt), asc(channelEvents.id))
    .limit(limit);
}

/** Counts per status for the filter bar, one hub or all, from the counters the channels triggers keep (drizzle/0002). */
export async function countChannelsByStatus({ db, hubId }: { db: Executor; hubId?: string }) {
  return db
    .select({ status: channelStatusCounts.status, n: sql<number>`sum(${channelStatusCounts.n})::int` })
    .from(channelStatusCounts)
    .where(hubId ? eq(channelStatusCounts.hubId, hubId) : undefined)
    .groupBy(channelStatusCounts.status)
    .having(sql`sum(${channelStatusCounts.n}) > 0`);
}

/**
 * Numbers at their end of life per cancellation state (docs/channel-lifecycle.md §1), one hub or all, for the filter
 * bar: the status counters above count 360dialog's statuses, so these are counted here, on the partial index
 * channels_cancellation_idx that holds only such numbers.
 */
export async function countChannelsByCancellation({ db, hubId }: { db: Executor; hubId?: string }): Promise<{ requested: number; cancelled: number }> {
  const rows = await db
    .select({ cancellation: channels.cancellation, n: sql<number>`count(*)::int` })
    .from(channels)
    .where(and(sql`${channels.cancellation} is not null`, hubId ? eq(channels.hubId, hubId) : undefined))
    .groupBy(channels.cancellation);
  return {
    requested: rows.find((r) => r.cancellation === "requested")?.n ?? 0,
    cancelled: rows.find((r) => r.cancellation === "cancelled")?.n ?? 0,
  };
}
