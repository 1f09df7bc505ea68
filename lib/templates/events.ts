import "server-only";
import type { Executor } from "@/db/client";
import type { Template } from "@/db/schema";
import { emitEvent } from "../events/emit";

/**
 * A template's review status or category as the partner's platform and the alerts hear of it (docs/events.md §2):
 * derived from the row before and after a submission's answer or an observation from Meta (webhook or sync).
 * The portal's own steps before 360dialog has it (draft, submitting) are not events.
 */
export async function emitTemplateChanges(tx: Executor, before: Template, after: Template, source: string): Promise<void> {
  const base = { hubId: after.hubId, subjectId: after.id };
  if (before.status !== after.status) {
    await emitEvent(tx, { ...base, type: "template.status_changed", data: { from: before.status, to: after.status, reason: after.rejectedReason, source } });
  }
  if (before.category !== after.category) {
    await emitEvent(tx, { ...base, type: "template.category_changed", data: { from: before.category, to: after.category, requested: after.requestedCategory, source } });
  }
}
