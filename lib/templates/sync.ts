import "server-only";
import { findChannelById } from "@/db/queries/channel-store";
import { findHubById } from "@/db/queries/hubs";
import {
  findStatusNewerThanDelivery,
  findTemplateByKey,
  insertTemplate,
  insertTemplateEvent,
  listChannelsAwaitingReview,
  listChannelsWithActiveKey,
  listTemplatesOfChannel,
  updateTemplate,
} from "@/db/queries/templates";
import type { Database, Executor } from "@/db/client";
import type { Template } from "@/db/schema";
import { messagingApiForChannel, type MessagingApiFactory } from "../channels/messaging";
import { getDb } from "../db";
import { formatMinute } from "../dates";
import type { MessagingApi } from "../hub/messaging-api";
import type { Template as RemoteTemplate } from "../hub/types";
import { publishChange } from "../live/publish";
import { AWAITING_REVIEW_STATUSES, LOCAL_STATUSES, normaliseReason, normaliseStatus } from "./status";
import { enqueueChannelSync } from "./sync-jobs";
import { emitTemplateChanges } from "./events";

export type SyncDeps = { db?: Database; messagingApi?: MessagingApiFactory };

/** What one observation (a list row, a webhook) says about a template; absent fields say nothing. */
export type Observation = {
  status?: string;
  reason?: string | null;
  category?: string;
  externalId?: string;
  components?: unknown[];
};

export type ObservationSource = "sync" | "webhook";

const PAGE = 100;
const MAX_PAGES = 50;

/**
 * Applies one observation to a stored template: status, reason and category, each change recorded once in
 * template_events (docs/security.md R7-like: the same observation twice changes nothing the second time). A category that
 * differs from the one staff asked for is flagged: Meta re-categorised it.
 */
export async function applyObservation(
  tx: Executor,
  template: Template,
  seen: Observation,
  source: ObservationSource,
  /** The stored delivery a webhook's observation came from: its history line is linked to it (and marked when replayed). */
  webhookEventId?: string,
): Promise<ObservationResult> {
  const status = normaliseStatus(seen.status) ?? template.status;
  // A reason given replaces the old one; none given keeps it only while the status stays the same.
  const given = seen.reason === undefined || seen.reason === null ? null : normaliseReason(seen.reason);
  const rejectedReason = given ?? (status === template.status ? template.rejectedReason : null);
  const category = seen.category?.trim().toUpperCase() || template.category;
  const asked = template.requestedCategory ?? template.category;
  const categoryChanged = category !== asked;
  const moved = status !== template.status || rejectedReason !== template.rejectedReason;
  const recategorised = category !== template.category;
  const newId = seen.externalId && seen.externalId !== template.externalId;
  if (!moved && !recategorised && !newId) return { changed: false };
  // A delivery received before the status in force was set tells nothing newer (docs/waba-webhook.md §3): an
  // operator's replay of an old verdict, or a delivery whose processing waited behind a newer one. It changes
  // nothing, not even the category or the id, which may be as old as its status.
  if (webhookEventId) {
    const newer = await findStatusNewerThanDelivery({ db: tx, templateId: template.id, webhookEventId });
    if (newer) return { changed: false, olderThan: newer };
  }
  const after = await updateTemplate({
    db: tx,
    id: template.id,
    set: {
      status,
      rejectedReason,
      category,
      categoryChanged,
      ...(newId ? { externalId: seen.externalId } : {}),
      ...(source === "sync" ? { lastSyncedAt: new Date() } : {}),
    },
  });
  if (moved || recategorised) {
    await insertTemplateEvent({
      db: tx,
      event: { templateId: template.id, status: moved ? status : null, reason: moved ? rejectedReason : null, category: recategorised ? category : null, source, webhookEventId },
    });
  }
  await emitTemplateChanges(tx, template, after, source);
  await publishChange(tx, { topic: "template", id: template.id, hubId: template.hubId });
  return { changed: true };
}

/** The inbox's words for a delivery that was older than the template's status (webhook_events.last_error is for failures). */
export function olderThanWords(name: string, newer: { status: string; at: Date }): string {
  return `template ${name} not changed: this delivery is older than its status ${newer.status} (${formatMinute(newer.at)} UTC)`;
}

/** What one observation did to a stored template. */
export type ObservationResult = {
  changed: boolean;
  /** Not applied: this status, set by something newer than the observation's delivery, stays in force. */
  olderThan?: { status: string; at: Date };
};

/** Every template 360dialog holds for one number, page by page. */
export async function listRemoteTemplates(messaging: Pick<MessagingApi, "listTemplates">): Promise<RemoteTemplate[]> {
  const remote: RemoteTemplate[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, total } = await messaging.listTemplates({ limit: PAGE, offset: page * PAGE });
    remote.push(...items);
    if (items.length < PAGE || (total !== undefined && remote.length >= total)) break;
  }
  return remote;
}

export type SyncResult = { listed: number; created: number; changed: number; missing: number };

/** Reads every template of one number from the Messaging API and brings the stored ones in line. */
export async function syncChannelTemplates(channelId: string, deps: SyncDeps = {}): Promise<SyncResult> {
  const db = deps.db ?? (await getDb());
  const channel = await findChannelById({ db, id: channelId });
  const hub = channel ? await findHubById({ db, id: channel.hubId }) : undefined;
  if (!channel || !hub) return { listed: 0, created: 0, changed: 0, missing: 0 };
  const messaging = await messagingApiForChannel(db, hub, channel, deps.messagingApi);
  const remote = await listRemoteTemplates(messaging);

  const result: SyncResult = { listed: remote.length, created: 0, changed: 0, missing: 0 };
  const seenKeys = new Set<string>();
  for (const r of remote) {
    if (!r.language) continue;
    seenKeys.add(`${r.name}\u0000${r.language}`);
    await db.transaction(async (tx) => {
      const existing = await findTemplateByKey({ db: tx, channelId: channel.id, name: r.name, language: r.language! });
      const seen: Observation = { status: r.status, reason: r.rejectedReason ?? null, category: r.category, externalId: r.id };
      if (existing) {
        // A submission whose answer was lost did arrive: it was submitted when it was sent.
        if (existing.status === "submit_unknown" && !existing.submittedAt) await updateTemplate({ db: tx, id: existing.id, set: { submittedAt: existing.updatedAt } });
        if ((await applyObservation(tx, existing, seen, "sync")).changed) result.changed++;
        else await updateTemplate({ db: tx, id: existing.id, set: { lastSyncedAt: new Date() } });
        return;
      }
      // Written elsewhere (the Hub, another tool): kept like any other, with no requested category.
      const status = normaliseStatus(r.status) ?? "submitted";
      const created = await insertTemplate({
        db: tx,
        template: {
          hubId: hub.id,
          channelId: channel.id,
          name: r.name,
          language: r.language!,
          category: r.category?.toUpperCase() ?? "UTILITY",
          components: r.components,
          status,
          rejectedReason: status === "rejected" ? normaliseReason(r.rejectedReason) : null,
          externalId: r.id ?? null,
          lastSyncedAt: new Date(),
        },
      });
      if (!created) return;
      result.created++;
      await insertTemplateEvent({ db: tx, event: { templateId: created.id, status, reason: created.rejectedReason, category: created.category, source: "sync" } });
      await publishChange(tx, { topic: "template", id: created.id, hubId: hub.id });
    });
  }

  // Gone at 360dialog: deleted in the Hub, or (for a lost submit answer) never arrived.
  for (const local of await listTemplatesOfChannel({ db, channelId: channel.id })) {
    if (seenKeys.has(`${local.name}\u0000${local.language}`)) continue;
    if (local.status === "submit_unknown") {
      await db.transaction(async (tx) => {
        await updateTemplate({ db: tx, id: local.id, set: { status: "submit_failed", lastSyncedAt: new Date() } });
        await insertTemplateEvent({ db: tx, event: { templateId: local.id, status: "submit_failed", reason: "360dialog does not list it: the submission did not arrive.", source: "sync" } });
        await publishChange(tx, { topic: "template", id: local.id, hubId: hub.id });
      });
      result.missing++;
    } else if (!LOCAL_STATUSES.includes(local.status) && local.status !== "deleted") {
      await db.transaction((tx) => applyObservation(tx, local, { status: "deleted", reason: null }, "sync"));
      result.missing++;
    }
  }
  return result;
}

/** Fans a hub's sync out into one job per number: awaiting review only (schedule), or every number with a key. */
export async function queueHubTemplateSync(input: { hubId: string; scope: "awaiting" | "all"; requestedBy?: string }, deps: SyncDeps = {}): Promise<number> {
  const db = deps.db ?? (await getDb());
  const channelIds =
    input.scope === "all"
      ? await listChannelsWithActiveKey({ db, hubId: input.hubId })
      : await listChannelsAwaitingReview({ db, hubId: input.hubId, statuses: [...AWAITING_REVIEW_STATUSES, "submit_unknown"], limit: 10_000 });
  let queued = 0;
  for (const channelId of channelIds) {
    const job = await enqueueChannelSync(db, { channelId, requestedBy: input.requestedBy, reason: input.scope });
    if (job.created) queued++;
  }
  return queued;
}
