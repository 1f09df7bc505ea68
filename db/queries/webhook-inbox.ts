import "server-only";
import { and, desc, eq, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { hubs, webhookEvents } from "../schema";
import { beforeCursor, cursorText, decodeCursor, pageOf } from "./paging";

export type WebhookInboxFilter = { hubId?: string; event?: string; channel?: string; status?: string };

export async function listWebhookEventsPage({
  db,
  filter,
  after,
  limit,
}: {
  db: Executor;
  filter: WebhookInboxFilter;
  after?: string;
  limit: number;
}) {
  const where: SQL[] = [];
  if (filter.hubId) where.push(eq(webhookEvents.hubId, filter.hubId));
  if (filter.event) where.push(eq(webhookEvents.event, filter.event));
  if (filter.channel) where.push(eq(webhookEvents.channelExternalId, filter.channel));
  if (filter.status) where.push(eq(webhookEvents.status, filter.status as (typeof webhookEvents.status.enumValues)[number]));
  const cursor = decodeCursor(after);
  if (cursor) where.push(beforeCursor(webhookEvents.receivedAt, webhookEvents.id, cursor));
  const rows = await db
    .select({
      id: webhookEvents.id,
      hubId: webhookEvents.hubId,
      hubName: hubs.name,
      event: webhookEvents.event,
      status: webhookEvents.status,
      signatureResult: webhookEvents.signatureResult,
      attempts: webhookEvents.attempts,
      deliveries: webhookEvents.deliveries,
      channelExternalId: webhookEvents.channelExternalId,
      clientExternalId: webhookEvents.clientExternalId,
      lastError: webhookEvents.lastError,
      receivedAt: webhookEvents.receivedAt,
      cursorAt: cursorText(webhookEvents.receivedAt),
    })
    .from(webhookEvents)
    .innerJoin(hubs, eq(hubs.id, webhookEvents.hubId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(webhookEvents.receivedAt), desc(webhookEvents.id))
    .limit(limit + 1);
  return pageOf(rows, limit);
}

export async function getWebhookEventDetail({ db, id }: { db: Executor; id: string }) {
  const [row] = await db
    .select({ event: webhookEvents, hubName: hubs.name })
    .from(webhookEvents)
    .innerJoin(hubs, eq(hubs.id, webhookEvents.hubId))
    .where(eq(webhookEvents.id, id))
    .limit(1);
  return row;
}
