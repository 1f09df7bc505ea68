import "server-only";
import { insertChannelEvent } from "@/db/queries/channel-events";
import { lockChannelByExternalId, updateChannel } from "@/db/queries/channel-store";
import { findTemplateByExternalId, findTemplateByKey, lockTemplateById } from "@/db/queries/templates";
import type { Executor } from "@/db/client";
import type { Hub, WebhookEvent as WebhookRow } from "@/db/schema";
import type { WebhookEventOf } from "../hub/events";
import { publishChange } from "../live/publish";
import { applyObservation, olderThanWords } from "./sync";
import { enqueueChannelSync } from "./sync-jobs";

type TemplateWebhook = WebhookEventOf<"template">;
export type TemplateWebhookOutcome = { status: "done" | "ignored"; effect: string };

/**
 * A template event from the partner webhook (wire name and payload UNVERIFIED, docs/hub-contract.md §4.4): applied to the
 * stored template when it can be found; when only the number is known, a sync of that number settles it.
 */
async function applyTemplateWebhook(tx: Executor, hub: Hub, row: WebhookRow, ev: TemplateWebhook): Promise<TemplateWebhookOutcome> {
  const channel = ev.channelId ? await lockChannelByExternalId({ db: tx, hubId: hub.id, externalId: ev.channelId }) : undefined;
  if (ev.change !== "status") {
    if (!channel) return { status: "ignored", effect: `${ev.event} for a number this portal does not know` };
    const enabled = ev.change === "messaging_enabled";
    await updateChannel({ db: tx, id: channel.id, set: { flags: { ...channel.flags, template_messaging: { enabled, at: row.receivedAt.toISOString() } } } });
    await insertChannelEvent({
      db: tx,
      event: { hubId: hub.id, channelId: channel.id, event: ev.event, status: channel.status, source: "webhook", webhookEventId: row.id, occurredAt: row.receivedAt },
    });
    await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: channel.clientId ?? undefined });
    return { status: "done", effect: `template messaging ${enabled ? "enabled" : "disabled"}` };
  }

  const byKey =
    channel && ev.templateName && ev.language
      ? await findTemplateByKey({ db: tx, channelId: channel.id, name: ev.templateName, language: ev.language })
      : undefined;
  const found = byKey ?? (ev.templateId ? await findTemplateByExternalId({ db: tx, hubId: hub.id, externalId: ev.templateId }) : undefined);
  const template = found ? await lockTemplateById({ db: tx, id: found.id }) : undefined;
  if (!template) {
    if (!channel) return { status: "ignored", effect: "template status for a number this portal does not know" };
    await enqueueChannelSync(tx, { channelId: channel.id, reason: "webhook" });
    return { status: "done", effect: "template not stored yet: a sync of the number was queued" };
  }
  const result = await applyObservation(tx, template, { status: ev.status, reason: ev.reason ?? null, category: ev.category, externalId: ev.templateId }, "webhook", row.id);
  if (result.olderThan) return { status: "ignored", effect: olderThanWords(template.name, result.olderThan) };
  return { status: "done", effect: result.changed ? `template ${template.name} ${ev.status?.toLowerCase() ?? "updated"}` : `template ${template.name} unchanged` };
}

/** What lib/webhooks/apply.ts runs for each kind of event this file applies. */
export const templateWebhookAppliers = { template: applyTemplateWebhook };
