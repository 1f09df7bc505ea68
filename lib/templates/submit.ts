import "server-only";
import { findChannelById } from "@/db/queries/channel-store";
import { findHubById } from "@/db/queries/hubs";
import {
  claimTemplateForSubmit,
  findTemplateById,
  insertTemplate,
  insertTemplateEvent,
  listSiblingLanguages,
  updateTemplate,
} from "@/db/queries/templates";
import type { Database, Executor } from "@/db/client";
import type { Channel, Hub, Template } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { messagingApiForChannel, type MessagingApiFactory } from "../channels/messaging";
import { getDb } from "../db";
import { AppError } from "../errors";
import { isHubError } from "../hub/http";
import { publishChange } from "../live/publish";
import { logger } from "../log";
import { toComponents } from "./components";
import type { TemplateDraft } from "./draft";
import { hubRefusalFindings, outcomeUnknown } from "./hub-findings";
import { hasErrors, lintTemplate, type Finding } from "./lint";
import { listRemoteTemplates } from "./sync";
import { enqueueChannelSync } from "./sync-jobs";
import { normaliseStatus } from "./status";

export type TemplateDeps = { db?: Database; messagingApi?: MessagingApiFactory };

export type SaveInput = { channelId: string; templateId?: string; draft: TemplateDraft };

export type SubmitOutcome =
  | { kind: "saved"; templateId: string; status: string; message: string; findings: Finding[] }
  | { kind: "submitted"; templateId: string; status: string; message: string }
  | { kind: "refused"; templateId: string; message: string; findings: Finding[] }
  | { kind: "unknown"; templateId: string; message: string };

/** Statuses whose content staff may change: never written, or turned down. */
export const EDITABLE_STATUSES = ["draft", "rejected", "submit_failed"];
const STALE_CLAIM_SECONDS = 120;

async function loadTarget(db: Executor, channelId: string): Promise<{ channel: Channel; hub: Hub }> {
  const channel = await findChannelById({ db, id: channelId });
  const hub = channel ? await findHubById({ db, id: channel.hubId }) : undefined;
  if (!channel || !hub) throw new AppError("not_found:channel", "That number does not exist (any more).");
  return { channel, hub };
}

function draftColumns(draft: TemplateDraft) {
  return {
    name: draft.name.trim(),
    language: draft.language.trim(),
    category: draft.category,
    requestedCategory: draft.category,
    allowCategoryChange: draft.allowCategoryChange,
    components: toComponents({ ...draft, name: draft.name.trim(), language: draft.language.trim() }),
  };
}

const nameTaken = (draft: TemplateDraft): AppError =>
  new AppError(
    "conflict:template_name",
    `This number already has a template named "${draft.name.trim()}" in ${draft.language.trim()}. Choose another name or language, or open that template.`,
    { fieldErrors: { name: ["Name and language are already used on this number."] } },
  );

/**
 * Stores what the user wrote, before anything is sent: a failed submission never loses the text (the draft
 * stays). A rejected template keeps its status while edited, so the list still says what Meta decided.
 */
export async function saveTemplateDraft(actor: Actor, input: SaveInput, deps: TemplateDeps = {}): Promise<Template> {
  const db = deps.db ?? (await getDb());
  return db.transaction(async (tx) => {
    const { channel, hub } = await loadTarget(tx, input.channelId);
    const columns = draftColumns(input.draft);
    let saved: Template | undefined;
    if (input.templateId) {
      const existing = await findTemplateById({ db: tx, id: input.templateId });
      if (!existing || existing.channelId !== channel.id) throw new AppError("not_found:template", "That template does not exist on this number.");
      if (!EDITABLE_STATUSES.includes(existing.status)) {
        throw new AppError("conflict:template_status", `This template is ${existing.status}; only drafts and rejected templates can be changed.`);
      }
      try {
        saved = await tx.transaction((inner) => updateTemplate({ db: inner, id: existing.id, set: columns }));
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(input.draft);
        throw error;
      }
    } else {
      saved = await insertTemplate({ db: tx, template: { ...columns, hubId: hub.id, channelId: channel.id, status: "draft", createdBy: actor.id } });
      if (!saved) throw nameTaken(input.draft);
      await insertTemplateEvent({ db: tx, event: { templateId: saved.id, status: "draft", category: saved.category, source: "user" } });
    }
    await publishChange(tx, { topic: "template", id: saved.id, hubId: hub.id });
    return saved;
  });
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

/** Save, then (for action "submit") lint again and send through the channel's Messaging API. */
export async function saveOrSubmitTemplate(actor: Actor, input: SaveInput & { action: "save" | "submit" }, deps: TemplateDeps = {}): Promise<SubmitOutcome> {
  const findings = lintTemplate(input.draft);
  const saved = await saveTemplateDraft(actor, input, deps);
  if (input.action === "save") {
    const errors = findings.filter((f) => f.severity === "error").length;
    const message = errors === 0 ? "Draft saved." : `Draft saved. ${errors} problem${errors === 1 ? "" : "s"} must be fixed before it can be submitted.`;
    return { kind: "saved", templateId: saved.id, status: saved.status, message, findings };
  }
  if (hasErrors(findings)) {
    return { kind: "refused", templateId: saved.id, findings, message: "Nothing was sent: fix the problems marked below. Your draft is saved." };
  }
  return submitSaved(actor, saved, input.draft, deps);
}

async function submitSaved(actor: Actor, saved: Template, draft: TemplateDraft, deps: TemplateDeps): Promise<SubmitOutcome> {
  const db = deps.db ?? (await getDb());
  const { channel, hub } = await loadTarget(db, saved.channelId);
  const messaging = await messagingApiForChannel(db, hub, channel, deps.messagingApi);
  const previous = saved.status;
  const claimed = await claimTemplateForSubmit({ db, id: saved.id, from: EDITABLE_STATUSES, staleSeconds: STALE_CLAIM_SECONDS });
  if (!claimed) throw new AppError("conflict:template_busy", "This template is being submitted already (another tab or click). Reload to see its status.");
  const release = (status: string) => updateTemplate({ db, id: saved.id, set: { status } });
  let replaced = false;

  try {
    // Resubmitting a rejected template: Meta keeps the rejected one under the same name and language, and
    // 360dialog deletes by name only (every language, contract §6). So it is replaced only when it is the
    // name's only language at Meta; otherwise staff pick a new name rather than lose approved languages.
    // What 360dialog holds is read first: a language added in the Hub since the last sync, or a rename onto a
    // name that exists there, must never be deleted on the strength of the portal's own rows.
    const remote = previous === "rejected" && saved.externalId ? (await listRemoteTemplates(messaging)).filter((r) => r.name === saved.name) : [];
    if (remote.some((r) => r.language === saved.language)) {
      const local = (await listSiblingLanguages({ db, channelId: channel.id, name: saved.name, exceptId: saved.id })).filter(
        (s) => s.status !== "draft" && s.status !== "deleted",
      );
      const siblings = [...new Set([...local.map((s) => s.language), ...remote.map((r) => r.language ?? "")])].filter((l) => l !== "" && l !== saved.language);
      if (siblings.length > 0) {
        await release(previous);
        const langs = siblings.join(", ");
        throw new AppError(
          "conflict:template_languages",
          `"${saved.name}" also exists in ${langs}. 360dialog can only delete a template name with all its languages, so resubmit this one under a new name.`,
          { fieldErrors: { name: ["Use a new name to resubmit."] } },
        );
      }
      await messaging.deleteTemplate(saved.name).catch((error: unknown) => {
        if (!(isHubError(error) && error.status === 404)) throw error;
      });
      replaced = true;
    }
    const created = await messaging.createTemplate({
      name: saved.name,
      language: saved.language,
      category: draft.category,
      components: toComponents(draft),
      allowCategoryChange: draft.allowCategoryChange,
    });
    const status = normaliseStatus(created.status) ?? "submitted";
    const category = created.category?.toUpperCase() ?? draft.category;
    const changed = category !== draft.category;
    const done = await db.transaction(async (tx) => {
      const row = await updateTemplate({
        db: tx,
        id: saved.id,
        set: {
          status,
          rejectedReason: created.rejectedReason ?? null,
          externalId: created.id ?? null,
          category,
          requestedCategory: draft.category,
          categoryChanged: changed,
          submittedAt: new Date(),
        },
      });
      await insertTemplateEvent({ db: tx, event: { templateId: row.id, status, category, reason: created.rejectedReason ?? null, source: "submit" } });
      await audit(
        tx,
        { actor, action: previous === "rejected" ? "template.resubmitted" : "template.submitted", targetType: "template", targetId: row.id, hubId: hub.id, detail: { name: row.name, language: row.language, category: draft.category } },
      );
      await publishChange(tx, { topic: "template", id: row.id, hubId: hub.id });
      return row;
    });
    return { kind: "submitted", templateId: done.id, status: done.status, message: `Submitted to Meta for review (${done.status}).` };
  } catch (error) {
    if (error instanceof AppError) throw error;
    // Once Meta's rejected copy is deleted, "rejected" would no longer be true: the next sync would find nothing
    // and mark the template deleted (not editable), so a failure from here on leaves it refused-on-submit.
    return settleFailure(actor, saved, replaced ? "submit_failed" : previous, hub, channel, error, db);
  }
}

async function settleFailure(actor: Actor, saved: Template, previous: string, hub: Hub, channel: Channel, error: unknown, db: Database): Promise<SubmitOutcome> {
  const refusal = hubRefusalFindings(error);
  const unknown = outcomeUnknown(error);
  // Refused: back to editable, with Meta's words in the history. Unknown (timeout, 5xx): the create may have
  // landed, so the sync decides; until then the row says so rather than pretending either way.
  const status = refusal ? (previous === "rejected" ? "rejected" : "submit_failed") : unknown ? "submit_unknown" : previous;
  const reason = refusal?.map((f) => f.message).join(" ") ?? (error instanceof Error ? error.message : "submission failed");
  await db.transaction(async (tx) => {
    await updateTemplate({ db: tx, id: saved.id, set: { status } });
    await insertTemplateEvent({ db: tx, event: { templateId: saved.id, status: refusal ? "submit_refused" : "submit_error", reason: reason.slice(0, 1000), source: "submit" } });
    await audit(tx, { actor, action: "template.submit_failed", targetType: "template", targetId: saved.id, hubId: hub.id, detail: { name: saved.name, reason: reason.slice(0, 300) } });
    if (unknown) await enqueueChannelSync(tx, { channelId: channel.id, requestedBy: actor.id, reason: "submit_unknown" });
    await publishChange(tx, { topic: "template", id: saved.id, hubId: hub.id });
  });
  if (refusal) return { kind: "refused", templateId: saved.id, findings: refusal, message: "360dialog/Meta refused the template; their words are beside the field. Your draft is saved." };
  logger("templates").warn({ templateId: saved.id, err: reason }, "template submission failed");
  if (unknown) {
    return { kind: "unknown", templateId: saved.id, message: "360dialog did not answer in time, so it is not known whether the template arrived. The portal checks with 360dialog now; its status appears here. Your draft is saved." };
  }
  throw new AppError("upstream:hub", "360dialog could not be reached; nothing was sent. Your draft is saved — try again in a moment.", { cause: error });
}
