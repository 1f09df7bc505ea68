import "server-only";
import { and, asc, desc, eq, inArray, isNotNull, isNull, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Executor } from "../client";
import { apiKeys, channels, clients, hubs, templateEvents, templates, templateStatusCounts, webhookEvents, type Template, type TemplateEvent } from "../schema";
import { beforeCursor, cursorText, decodeCursor, pageOf } from "./paging";

export type NewTemplate = typeof templates.$inferInsert;
export type NewTemplateEvent = typeof templateEvents.$inferInsert;

export async function findTemplateById({ db, id }: { db: Executor; id: string }): Promise<Template | undefined> {
  const [row] = await db.select().from(templates).where(eq(templates.id, id)).limit(1);
  return row;
}

export async function lockTemplateById({ db, id }: { db: Executor; id: string }): Promise<Template | undefined> {
  const [row] = await db.select().from(templates).where(eq(templates.id, id)).limit(1).for("update");
  return row;
}

export async function findTemplateByKey({
  db,
  channelId,
  name,
  language,
}: {
  db: Executor;
  channelId: string;
  name: string;
  language: string;
}): Promise<Template | undefined> {
  const [row] = await db
    .select()
    .from(templates)
    .where(and(eq(templates.channelId, channelId), eq(templates.name, name), eq(templates.language, language)))
    .limit(1);
  return row;
}

export async function findTemplateByExternalId({ db, hubId, externalId }: { db: Executor; hubId: string; externalId: string }): Promise<Template | undefined> {
  const [row] = await db
    .select()
    .from(templates)
    .where(and(eq(templates.hubId, hubId), eq(templates.externalId, externalId)))
    .limit(1);
  return row;
}

export async function listTemplatesOfChannel({ db, channelId }: { db: Executor; channelId: string }): Promise<Template[]> {
  return db.select().from(templates).where(eq(templates.channelId, channelId));
}

/** Every template name a channel's rows hold, whatever their status (a name Meta holds or held stays taken). */
export async function listTemplateNamesOfChannel({ db, channelId }: { db: Executor; channelId: string }): Promise<string[]> {
  const rows = await db.selectDistinct({ name: templates.name }).from(templates).where(eq(templates.channelId, channelId));
  return rows.map((r) => r.name);
}

/** The not yet accepted successor of a template being resubmitted under a new name, if one was started. */
export async function findOpenSuccessor({ db, replacesId }: { db: Executor; replacesId: string }): Promise<Template | undefined> {
  const [row] = await db
    .select()
    .from(templates)
    .where(and(eq(templates.replacesId, replacesId), inArray(templates.status, ["draft", "submit_failed", "submitting"])))
    .orderBy(desc(templates.createdAt))
    .limit(1);
  return row;
}

/**
 * The rows of one logical template (docs/templates-meta.md §2): this one, the ones it replaced and the ones that
 * replaced it, oldest first. Bounded: a chain longer than `max` is cut, never looped.
 */
export async function listTemplateLineage({ db, id, max = 20 }: { db: Executor; id: string; max?: number }): Promise<Template[]> {
  const start = await findTemplateById({ db, id });
  if (!start) return [];
  const seen = new Map<string, Template>([[start.id, start]]);
  const before: Template[] = [];
  for (let t = start; t.replacesId && !seen.has(t.replacesId) && seen.size < max; ) {
    const prev = await findTemplateById({ db, id: t.replacesId });
    if (!prev) break;
    seen.set(prev.id, prev);
    before.unshift(prev);
    t = prev;
  }
  const after: Template[] = [];
  for (let t = start; seen.size < max; ) {
    const [next] = await db
      .select()
      .from(templates)
      .where(or(t.replacedById ? eq(templates.id, t.replacedById) : sql`false`, eq(templates.replacesId, t.id)))
      .orderBy(asc(templates.createdAt))
      .limit(1);
    if (!next || seen.has(next.id)) break;
    seen.set(next.id, next);
    after.push(next);
    t = next;
  }
  return [...before, start, ...after];
}

export async function listTemplateEventsOf({ db, templateIds, limit = 400 }: { db: Executor; templateIds: string[]; limit?: number }): Promise<TemplateEvent[]> {
  if (templateIds.length === 0) return [];
  return db
    .select()
    .from(templateEvents)
    .where(inArray(templateEvents.templateId, templateIds))
    .orderBy(desc(templateEvents.at), desc(templateEvents.id))
    .limit(limit);
}

/** Inserts a template; undefined when (channel, name, language) is taken. */
export async function insertTemplate({ db, template }: { db: Executor; template: NewTemplate }): Promise<Template | undefined> {
  const [row] = await db
    .insert(templates)
    .values(template)
    .onConflictDoNothing({ target: [templates.channelId, templates.name, templates.language] })
    .returning();
  return row;
}

export async function updateTemplate({ db, id, set }: { db: Executor; id: string; set: Partial<NewTemplate> }): Promise<Template> {
  const [row] = await db
    .update(templates)
    .set({ ...set, updatedAt: sql`now()` })
    .where(eq(templates.id, id))
    .returning();
  if (!row) throw new Error("updateTemplate: no such template");
  return row;
}

/**
 * Claims a template for one submission: only when its status is one of `from`, or a claim older than
 * `staleSeconds` was left behind by a crash. Two clicks or two tabs: one wins, the other gets undefined.
 */
export async function claimTemplateForSubmit({
  db,
  id,
  from,
  staleSeconds,
}: {
  db: Executor;
  id: string;
  from: string[];
  staleSeconds: number;
}): Promise<Template | undefined> {
  const [row] = await db
    .update(templates)
    .set({ status: "submitting", updatedAt: sql`now()` })
    .where(
      and(
        eq(templates.id, id),
        sql`(${inArray(templates.status, from)} or (${templates.status} = 'submitting' and ${templates.updatedAt} < now() - make_interval(secs => ${staleSeconds})))`,
      ),
    )
    .returning();
  return row;
}

export async function insertTemplateEvent({ db, event }: { db: Executor; event: Omit<NewTemplateEvent, "replayedAt" | "replayedBy"> }): Promise<void> {
  await db.insert(templateEvents).values({
    ...event,
    // A line written while an operator's replay of its delivery is processed carries that replay's mark (the delivery
    // holds its newest replay), as channel-events.ts does: docs/exports.md §6.
    ...(event.webhookEventId
      ? {
          replayedAt: sql`(select ${webhookEvents.replayedAt} from ${webhookEvents} where ${webhookEvents.id} = ${event.webhookEventId})`,
          replayedBy: sql`(select ${webhookEvents.replayedBy} from ${webhookEvents} where ${webhookEvents.id} = ${event.webhookEventId})`,
        }
      : {}),
  });
}

/**
 * The newest status line of a template that is newer than a delivery (lib/templates/sync.ts applyObservation): a line
 * a webhook wrote counts from its own delivery's receipt, a submit's or staff's from when it was written; both are
 * the database's clock. A sync's lines do not count: a list read from 360dialog can lag behind the webhooks (docs/
 * waba-webhook.md §3). Undefined when no such line is newer.
 */
export async function findStatusNewerThanDelivery({
  db,
  templateId,
  webhookEventId,
}: {
  db: Executor;
  templateId: string;
  webhookEventId: string;
}): Promise<{ status: string; at: Date } | undefined> {
  const source = alias(webhookEvents, "source_delivery");
  const seenAt = sql`coalesce(${source.receivedAt}, ${templateEvents.at})`;
  const [row] = await db
    .select({ status: templateEvents.status, at: seenAt.mapWith(templateEvents.at) })
    .from(templateEvents)
    .leftJoin(source, eq(source.id, templateEvents.webhookEventId))
    .where(
      and(
        eq(templateEvents.templateId, templateId),
        isNotNull(templateEvents.status),
        inArray(templateEvents.source, ["webhook", "submit", "user"]),
        sql`${seenAt} > (select ${webhookEvents.receivedAt} from ${webhookEvents} where ${webhookEvents.id} = ${webhookEventId})`,
      ),
    )
    .orderBy(desc(seenAt))
    .limit(1);
  return row?.status ? { status: row.status, at: row.at } : undefined;
}

export async function listTemplateEvents({ db, templateId, limit = 200 }: { db: Executor; templateId: string; limit?: number }): Promise<TemplateEvent[]> {
  return db
    .select()
    .from(templateEvents)
    .where(eq(templateEvents.templateId, templateId))
    .orderBy(desc(templateEvents.at), desc(templateEvents.id))
    .limit(limit);
}

export type TemplateListFilter = {
  hubId?: string;
  clientId?: string;
  channelId?: string;
  status?: string;
  category?: string;
  language?: string;
  /** Part of the name, any case (docs/exports.md §5). */
  name?: string;
};

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function filterWhere(filter: TemplateListFilter): SQL[] {
  // A row the partner replaced by resubmitting under a new name is shown only in its successor's history.
  const where: SQL[] = [isNull(templates.replacedById)];
  if (filter.hubId) where.push(eq(templates.hubId, filter.hubId));
  if (filter.channelId) where.push(eq(templates.channelId, filter.channelId));
  if (filter.clientId) where.push(inArray(templates.channelId, sql`(select ${channels.id} from ${channels} where ${channels.clientId} = ${filter.clientId})`));
  if (filter.status) where.push(eq(templates.status, filter.status));
  if (filter.category) where.push(eq(templates.category, filter.category));
  if (filter.language) where.push(eq(templates.language, filter.language));
  // Anywhere in the name ("update" finds order_update): the list walks its order index and stops at a page.
  const name = filter.name?.trim().toLowerCase();
  if (name) where.push(sql`lower(${templates.name}) like ${`%${escapeLike(name)}%`}`);
  return where;
}

/** Templates by last change, newest first, with their number and client. */
export async function listTemplatesPage({ db, filter, after, limit }: { db: Executor; filter: TemplateListFilter; after?: string; limit: number }) {
  const where = filterWhere(filter);
  const cursor = decodeCursor(after);
  if (cursor) where.push(beforeCursor(templates.updatedAt, templates.id, cursor));
  const rows = await db
    .select({
      id: templates.id,
      name: templates.name,
      language: templates.language,
      category: templates.category,
      requestedCategory: templates.requestedCategory,
      categoryChanged: templates.categoryChanged,
      status: templates.status,
      rejectedReason: templates.rejectedReason,
      updatedAt: templates.updatedAt,
      channelId: templates.channelId,
      phoneNumber: channels.phoneNumber,
      channelExternalId: channels.externalId,
      // A cancelled number's templates can no longer be sent (docs/channel-lifecycle.md §1).
      channelCancellation: channels.cancellation,
      clientId: channels.clientId,
      clientName: clients.name,
      hubName: hubs.name,
      cursorAt: cursorText(templates.updatedAt),
    })
    .from(templates)
    .innerJoin(channels, eq(channels.id, templates.channelId))
    .innerJoin(hubs, eq(hubs.id, templates.hubId))
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(templates.updatedAt), desc(templates.id))
    .limit(limit + 1);
  return pageOf(rows, limit);
}

/**
 * Counts per status within the filter (without its status), for the status tabs. Unfiltered or per hub they come
 * from the counters the templates triggers keep (drizzle/0004, 0005): no count over millions of rows per view.
 */
export async function countTemplatesByStatus({ db, filter }: { db: Executor; filter: TemplateListFilter }) {
  if (!filter.clientId && !filter.channelId && !filter.category && !filter.language && !filter.name) {
    const [counted, replaced] = await Promise.all([
      db
        .select({ status: templateStatusCounts.status, n: sql<number>`sum(${templateStatusCounts.n})::int` })
        .from(templateStatusCounts)
        .where(filter.hubId ? eq(templateStatusCounts.hubId, filter.hubId) : undefined)
        .groupBy(templateStatusCounts.status)
        .having(sql`sum(${templateStatusCounts.n}) > 0`),
      // The counters count every row; replaced ones (few, on their own partial index) are not listed, so not counted.
      db
        .select({ status: templates.status, n: sql<number>`count(*)::int` })
        .from(templates)
        .where(and(isNotNull(templates.replacedById), filter.hubId ? eq(templates.hubId, filter.hubId) : undefined))
        .groupBy(templates.status),
    ]);
    const minus = new Map(replaced.map((r) => [r.status, r.n]));
    return counted.map((c) => ({ status: c.status, n: c.n - (minus.get(c.status) ?? 0) })).filter((c) => c.n > 0);
  }
  const where = filterWhere({ ...filter, status: undefined });
  return db
    .select({ status: templates.status, n: sql<number>`count(*)::int` })
    .from(templates)
    .where(where.length ? and(...where) : undefined)
    .groupBy(templates.status);
}

export async function getTemplateDetail({ db, id }: { db: Executor; id: string }) {
  const [row] = await db
    .select({
      template: templates,
      phoneNumber: channels.phoneNumber,
      channelExternalId: channels.externalId,
      channelStatus: channels.status,
      channelCancellation: channels.cancellation,
      clientId: channels.clientId,
      clientName: clients.name,
      hubName: hubs.name,
    })
    .from(templates)
    .innerJoin(channels, eq(channels.id, templates.channelId))
    .innerJoin(hubs, eq(hubs.id, templates.hubId))
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(eq(templates.id, id))
    .limit(1);
  return row;
}

export type TemplateChannelOption = { id: string; phoneNumber: string | null; externalId: string; clientName: string | null; hubName: string };

/**
 * Numbers that can carry templates (an active API key), newest first, optionally narrowed by phone digits or
 * channel ID: a partner may have hundreds of thousands, so the editor gets a bounded, searchable list.
 */
export async function listTemplateChannels({ db, q, limit, ids }: { db: Executor; q?: string; limit: number; ids?: string[] }): Promise<TemplateChannelOption[]> {
  const where: SQL[] = [sql`exists (select 1 from ${apiKeys} where ${apiKeys.channelId} = ${channels.id} and ${apiKeys.status} = 'active')`];
  if (ids) where.push(inArray(channels.id, ids));
  const term = q?.trim();
  if (term) {
    const digits = term.replace(/\D/g, "");
    where.push(digits.length >= 4 ? sql`(${channels.phoneNumber} like ${`%${digits}%`} or ${channels.externalId} = ${term})` : eq(channels.externalId, term));
  }
  return db
    .select({ id: channels.id, phoneNumber: channels.phoneNumber, externalId: channels.externalId, clientName: clients.name, hubName: hubs.name })
    .from(channels)
    .innerJoin(hubs, eq(hubs.id, channels.hubId))
    .leftJoin(clients, eq(clients.id, channels.clientId))
    .where(and(...where))
    .orderBy(desc(channels.createdAt), asc(channels.id))
    .limit(limit);
}

/** Channels whose templates wait on Meta's review: what the scheduled sync looks at first. */
export async function listChannelsAwaitingReview({ db, hubId, statuses, limit }: { db: Executor; hubId: string; statuses: string[]; limit: number }) {
  const rows = await db
    .selectDistinct({ channelId: templates.channelId })
    .from(templates)
    .where(and(eq(templates.hubId, hubId), inArray(templates.status, statuses)))
    .limit(limit);
  return rows.map((r) => r.channelId);
}

export async function listChannelsWithActiveKey({ db, hubId }: { db: Executor; hubId: string }): Promise<string[]> {
  const rows = await db
    .selectDistinct({ channelId: apiKeys.channelId })
    .from(apiKeys)
    .where(and(eq(apiKeys.hubId, hubId), eq(apiKeys.status, "active")));
  return rows.map((r) => r.channelId);
}
