import "server-only";
import { and, asc, desc, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { channels, templates, webhookEvents } from "../schema";

// The Overview's cards: each a LIMIT walk of an index, never a count over a table.

export type WebhookFailureRow = {
  id: string;
  hubId: string;
  event: string;
  status: "failed" | "dead";
  attempts: number;
  lastError: string | null;
  channelExternalId: string | null;
  receivedAt: Date;
};

/**
 * The newest failed or dead deliveries: one walk of webhook_events_status_idx (status, received_at) per status,
 * newest first, merged.
 */
export async function listRecentWebhookFailures({ db, hubIds, limit }: { db: Executor; hubIds: readonly string[]; limit: number }): Promise<WebhookFailureRow[]> {
  if (hubIds.length === 0) return [];
  const newest = (status: "failed" | "dead") =>
    db
      .select({
        id: webhookEvents.id,
        hubId: webhookEvents.hubId,
        event: webhookEvents.event,
        status: sql<"failed" | "dead">`${webhookEvents.status}`,
        attempts: webhookEvents.attempts,
        lastError: webhookEvents.lastError,
        channelExternalId: webhookEvents.channelExternalId,
        receivedAt: webhookEvents.receivedAt,
      })
      .from(webhookEvents)
      .where(and(eq(webhookEvents.status, status), inArray(webhookEvents.hubId, [...hubIds])))
      .orderBy(desc(webhookEvents.receivedAt), desc(webhookEvents.id))
      .limit(limit);
  const [failed, dead] = await Promise.all([newest("failed"), newest("dead")]);
  return [...failed, ...dead]
    .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || (a.id < b.id ? 1 : -1))
    .slice(0, limit);
}

export type TemplateCardRow = {
  id: string;
  name: string;
  language: string;
  status: string;
  rejectedReason: string | null;
  channelId: string;
  phoneNumber: string | null;
  channelExternalId: string;
  /** Submitted (or created, for templates found by a sync) for waiting ones; last change for rejected ones. */
  since: Date;
};

const cardColumns = {
  id: templates.id,
  name: templates.name,
  language: templates.language,
  status: templates.status,
  rejectedReason: templates.rejectedReason,
  channelId: templates.channelId,
  phoneNumber: channels.phoneNumber,
  channelExternalId: channels.externalId,
};

/**
 * Templates in one of `statuses`, longest waiting first. Led by templates_hub_status_idx (hub_id, status, …):
 * only the templates in review are read, then the oldest few sorted.
 */
export async function listTemplatesAwaitingReview({
  db,
  hubIds,
  statuses,
  limit,
}: {
  db: Executor;
  hubIds: readonly string[];
  statuses: readonly string[];
  limit: number;
}): Promise<TemplateCardRow[]> {
  if (hubIds.length === 0 || statuses.length === 0) return [];
  const since = sql<Date>`coalesce(${templates.submittedAt}, ${templates.createdAt})`;
  return db
    .select({ ...cardColumns, since: since.mapWith(templates.createdAt) })
    .from(templates)
    .innerJoin(channels, eq(channels.id, templates.channelId))
    .where(and(inArray(templates.hubId, [...hubIds]), inArray(templates.status, [...statuses]), isNull(templates.replacedById)))
    .orderBy(asc(since), asc(templates.id))
    .limit(limit);
}

/** Templates in one of `statuses` changed since `since`, newest first: templates_hub_status_idx (hub_id, status, updated_at). */
export async function listRecentlyRejectedTemplates({
  db,
  hubIds,
  statuses,
  since,
  limit,
}: {
  db: Executor;
  hubIds: readonly string[];
  statuses: readonly string[];
  since: Date;
  limit: number;
}): Promise<TemplateCardRow[]> {
  if (hubIds.length === 0 || statuses.length === 0) return [];
  return db
    .select({ ...cardColumns, since: templates.updatedAt })
    .from(templates)
    .innerJoin(channels, eq(channels.id, templates.channelId))
    // A rejected template the partner resubmitted under a new name is no longer "to do" (docs/templates-meta.md §2).
    .where(and(inArray(templates.hubId, [...hubIds]), inArray(templates.status, [...statuses]), gte(templates.updatedAt, since), isNull(templates.replacedById)))
    .orderBy(desc(templates.updatedAt), desc(templates.id))
    .limit(limit);
}
