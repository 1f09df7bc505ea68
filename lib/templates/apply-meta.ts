import "server-only";
import { lockChannelsOfWaba, lockTemplatesOfEvent, setTemplateQuality } from "@/db/queries/waba-webhook";
import type { Executor } from "@/db/client";
import type { Hub, Template, WebhookEvent as WebhookRow } from "@/db/schema";
import type { MetaChangeOf, MetaTemplateRef } from "../hub/meta-events";
import { publishChange } from "../live/publish";
import { applyObservation, olderThanWords, type Observation, type ObservationResult } from "./sync";
import { enqueueChannelSync } from "./sync-jobs";

// Meta's template events from the WABA webhook (docs/waba-webhook.md §3): the verdict with its reason, the
// category Meta chose, the quality score, and the paused / disabled states. A WABA's template is kept once per
// number of the WABA here, so one event updates each of those rows. A template not stored yet is settled by a sync.

type Outcome = { status: "done" | "ignored"; effect: string };

/** Meta's event names that are no status of their own: the template is what it was, a sync reads it again. */
const NOT_A_STATUS = new Set(["UNARCHIVED", "UNLOCKED"]);

async function templatesOf(tx: Executor, hub: Hub, change: MetaTemplateRef & { wabaId?: string }): Promise<Template[]> {
  return lockTemplatesOfEvent({ db: tx, hubId: hub.id, metaWabaId: change.wabaId, templateId: change.templateId, name: change.templateName, language: change.language });
}

/** No stored row: a sync of one number of the WABA brings the template in with what 360dialog lists. */
async function notStoredYet(tx: Executor, hub: Hub, change: MetaTemplateRef & { wabaId?: string; field: string }): Promise<Outcome> {
  const channels = change.wabaId ? await lockChannelsOfWaba({ db: tx, hubId: hub.id, metaWabaId: change.wabaId }) : [];
  const label = change.templateName ?? change.templateId ?? "template";
  if (channels.length === 0) return { status: "ignored", effect: `${change.field} for ${label} of a WABA this portal does not know (${change.wabaId ?? "no WABA id"})` };
  await enqueueChannelSync(tx, { channelId: channels[0]!.id, reason: "webhook" });
  return { status: "done", effect: `${label} not stored yet: a sync of the number was queued` };
}

async function applyToEach(tx: Executor, hub: Hub, row: WebhookRow, change: MetaTemplateRef & { wabaId?: string; field: string }, seen: Observation): Promise<Outcome> {
  const rows = await templatesOf(tx, hub, change);
  if (rows.length === 0) return notStoredYet(tx, hub, change);
  let changed = 0;
  let olderThan: ObservationResult["olderThan"];
  for (const template of rows) {
    const result = await applyObservation(tx, template, seen, "webhook", row.id);
    if (result.changed) changed++;
    olderThan ??= result.olderThan;
  }
  const name = rows[0]!.name;
  const what = seen.status ? seen.status.toLowerCase() : seen.category ? `category ${seen.category}` : "updated";
  if (changed === 0 && olderThan) return { status: "ignored", effect: olderThanWords(name, olderThan) };
  return { status: "done", effect: changed ? `template ${name} ${what} (${changed} of ${rows.length} stored)` : `template ${name} unchanged` };
}

/** message_template_status_update: APPROVED, REJECTED (with reason), PAUSED, DISABLED, FLAGGED, REINSTATED… */
async function applyStatus(tx: Executor, hub: Hub, row: WebhookRow, change: MetaChangeOf<"message_template_status_update">): Promise<Outcome> {
  const event = change.status?.toUpperCase();
  if (!event) return { status: "ignored", effect: "message_template_status_update without an event" };
  if (NOT_A_STATUS.has(event)) {
    const rows = await templatesOf(tx, hub, change);
    if (rows[0]) await enqueueChannelSync(tx, { channelId: rows[0].channelId, reason: "webhook" });
    return rows[0] ? { status: "done", effect: `template ${rows[0].name} ${event.toLowerCase()}: a sync reads its status` } : notStoredYet(tx, hub, change);
  }
  // Meta's reason is NONE outside rejections; a pause or a disable says why in other_info / disable_info instead.
  const why =
    event === "PAUSED" && (change.description || change.title)
      ? [change.title, change.description].filter(Boolean).join(": ")
      : event === "DISABLED" && change.disableDate
        ? `Disabled by Meta (${dateWords(change.disableDate)}).`
        : change.reason;
  return applyToEach(tx, hub, row, change, { status: event, reason: why ?? null, category: change.category, externalId: change.templateId });
}

/**
 * template_category_update: Meta moved the template to another category (`previous_category` → `new_category`), or
 * announces that it will (`correct_category`, with `new_category` the current one): an announcement changes nothing
 * yet, the completed change that follows does.
 */
async function applyCategory(tx: Executor, hub: Hub, row: WebhookRow, change: MetaChangeOf<"template_category_update">): Promise<Outcome> {
  if (change.correctCategory && !change.previousCategory) {
    const rows = await templatesOf(tx, hub, change);
    if (rows.length === 0) return notStoredYet(tx, hub, change);
    const when = change.categoryUpdateTimestamp ? ` on ${dateWords(change.categoryUpdateTimestamp)}` : "";
    return { status: "done", effect: `template ${rows[0]!.name}: Meta will change its category to ${change.correctCategory}${when}; recorded, no change yet` };
  }
  const category = change.newCategory;
  if (!category) return { status: "ignored", effect: "template_category_update without a new category" };
  return applyToEach(tx, hub, row, change, { category, externalId: change.templateId });
}

/** message_template_quality_update: GREEN, YELLOW, RED or UNKNOWN, kept on the template and shown with it. */
async function applyQuality(tx: Executor, hub: Hub, _row: WebhookRow, change: MetaChangeOf<"message_template_quality_update">): Promise<Outcome> {
  const score = change.newScore?.toUpperCase().slice(0, 20);
  if (!score) return { status: "ignored", effect: "message_template_quality_update without a new score" };
  const rows = await templatesOf(tx, hub, change);
  if (rows.length === 0) return notStoredYet(tx, hub, change);
  for (const template of rows) {
    if (template.qualityScore === score) continue;
    await setTemplateQuality({ db: tx, id: template.id, qualityScore: score });
    await publishChange(tx, { topic: "template", id: template.id, hubId: template.hubId });
  }
  return { status: "done", effect: `template ${rows[0]!.name} quality ${change.previousScore ?? "?"} → ${score}` };
}

/** Meta's disable_date: seconds since the epoch, or a date as text. */
function dateWords(value: string): string {
  const seconds = Number(value);
  const at = Number.isFinite(seconds) && /^\d+$/.test(value) ? new Date(seconds * 1000) : new Date(value);
  return Number.isNaN(at.getTime()) ? value : at.toISOString().slice(0, 10);
}

/** What lib/webhooks/apply.ts runs for each Meta field this file applies. */
export const templateMetaAppliers = {
  message_template_status_update: applyStatus,
  template_category_update: applyCategory,
  message_template_quality_update: applyQuality,
};
