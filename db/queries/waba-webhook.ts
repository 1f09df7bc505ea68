import "server-only";
import { and, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { apiKeys, channels, hubs, templates, webhookEvents, type Channel, type Hub, type Template, type WebhookEvent } from "../schema";

// The WABA webhook (docs/waba-webhook.md): what its receiver stores, how its events find their numbers and
// templates, and where each number's WABA webhook stands.

/** Forwarding's own outcome on the inbox row (not a processing attempt: the attempt count stays). */
export async function setForwardOutcome({ db, id, status, lastError }: { db: Executor; id: string; status: WebhookEvent["status"]; lastError: string | null }): Promise<void> {
  await db.update(webhookEvents).set({ status, lastError, processedAt: sql`now()` }).where(eq(webhookEvents.id, id));
}

/** The numbers of one Meta WABA within a hub, unlocked (an unverified delivery's confirmation re-reads each). */
export async function findChannelsOfWaba({ db, hubId, metaWabaId, limit = 20 }: { db: Executor; hubId: string; metaWabaId: string; limit?: number }): Promise<Channel[]> {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.hubId, hubId), eq(channels.metaWabaId, metaWabaId)))
    .orderBy(channels.id)
    .limit(limit);
}

/** The numbers of one Meta WABA within a hub, locked in id order (so concurrent events lock them alike). */
export async function lockChannelsOfWaba({ db, hubId, metaWabaId }: { db: Executor; hubId: string; metaWabaId: string }): Promise<Channel[]> {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.hubId, hubId), eq(channels.metaWabaId, metaWabaId)))
    .orderBy(channels.id)
    .limit(100)
    .for("update");
}

/**
 * The stored templates a Meta template event names: on the numbers of its WABA (each number keeps its own row of
 * a WABA's template), by Meta's template id or by name and language; by template id alone anywhere in the hub
 * when the WABA is not known here. Locked.
 */
export async function lockTemplatesOfEvent({
  db,
  hubId,
  metaWabaId,
  templateId,
  name,
  language,
}: {
  db: Executor;
  hubId: string;
  metaWabaId?: string;
  templateId?: string;
  name?: string;
  language?: string;
}): Promise<Template[]> {
  const byId = templateId ? eq(templates.externalId, templateId) : undefined;
  const byKey = name && language ? and(eq(templates.name, name), eq(templates.language, language)) : undefined;
  const match = byId && byKey ? or(byId, byKey) : (byId ?? byKey);
  if (!match) return [];
  if (metaWabaId) {
    const ofWaba = db
      .select({ id: channels.id })
      .from(channels)
      .where(and(eq(channels.hubId, hubId), eq(channels.metaWabaId, metaWabaId)));
    const rows = await db
      .select()
      .from(templates)
      .where(and(eq(templates.hubId, hubId), inArray(templates.channelId, ofWaba), match))
      .orderBy(templates.id)
      .limit(100)
      .for("update");
    if (rows.length > 0 || !byId) return rows;
  }
  if (!byId) return [];
  return db.select().from(templates).where(and(eq(templates.hubId, hubId), byId)).orderBy(templates.id).limit(100).for("update");
}

export async function setTemplateQuality({ db, id, qualityScore }: { db: Executor; id: string; qualityScore: string }): Promise<void> {
  await db.update(templates).set({ qualityScore, updatedAt: sql`now()` }).where(eq(templates.id, id));
}

/** Where this number's WABA webhook stands after an attempt to set it. */
export async function setWabaWebhookState({
  db,
  channelId,
  state,
  detail,
}: {
  db: Executor;
  channelId: string;
  state: "set" | "failed";
  detail: string;
}): Promise<Channel | undefined> {
  const [row] = await db
    .update(channels)
    .set({ wabaWebhookState: state, wabaWebhookDetail: detail, wabaWebhookAt: sql`now()` })
    .where(eq(channels.id, channelId))
    .returning();
  return row;
}

/** Numbers of a hub with an active key whose WABA webhook is not set to `url` (reconcile sets them). */
export async function listChannelsNeedingWabaWebhook({
  db,
  hubId,
  url,
  all = false,
  limit = 10_000,
}: {
  db: Executor;
  hubId: string;
  url: string;
  /** Every number with a key, set or not (after a secret rotation). */
  all?: boolean;
  limit?: number;
}): Promise<string[]> {
  const rows = await db
    .selectDistinct({ id: channels.id })
    .from(channels)
    .innerJoin(apiKeys, and(eq(apiKeys.channelId, channels.id), eq(apiKeys.status, "active")))
    .where(
      and(
        eq(channels.hubId, hubId),
        // A number added by hand keeps the WABA webhook its owner set (docs/waba-webhook.md §2).
        ne(channels.source, "manual"),
        all ? undefined : or(isNull(channels.wabaWebhookState), ne(channels.wabaWebhookState, "set"), isNull(channels.wabaWebhookDetail), ne(channels.wabaWebhookDetail, url)),
      ),
    )
    .limit(limit);
  return rows.map((r) => r.id);
}

/** Stores the hub's WABA webhook secret unless one was stored meanwhile; the stored one comes back either way. */
export async function claimWabaWebhookSecret({ db, hubId, sealed }: { db: Executor; hubId: string; sealed: string }): Promise<Hub | undefined> {
  await db
    .update(hubs)
    .set({ wabaWebhookSecretEnc: sealed })
    .where(and(eq(hubs.id, hubId), isNull(hubs.wabaWebhookSecretEnc)));
  const [row] = await db.select().from(hubs).where(eq(hubs.id, hubId)).limit(1);
  return row;
}

/** A new WABA webhook secret (Settings → rotate); the old one stays accepted until `previousExpiresAt`. */
export async function replaceWabaWebhookSecret({
  db,
  hubId,
  sealed,
  previousSealed,
  previousExpiresAt,
}: {
  db: Executor;
  hubId: string;
  sealed: string;
  previousSealed: string | null;
  previousExpiresAt: Date | null;
}): Promise<void> {
  await db
    .update(hubs)
    .set({ wabaWebhookSecretEnc: sealed, previousWabaWebhookSecretEnc: previousSealed, previousWabaWebhookSecretExpiresAt: previousExpiresAt, updatedAt: sql`now()` })
    .where(eq(hubs.id, hubId));
}

export async function lockHubForWabaWebhook({ db, id }: { db: Executor; id: string }): Promise<Hub | undefined> {
  const [row] = await db.select().from(hubs).where(eq(hubs.id, id)).limit(1).for("update");
  return row;
}

export async function findHubForWabaWebhook({ db, id }: { db: Executor; id: string }): Promise<Hub | undefined> {
  const [row] = await db.select().from(hubs).where(eq(hubs.id, id)).limit(1);
  return row;
}
