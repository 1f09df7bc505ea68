import "server-only";
import { findChannelById } from "@/db/queries/channel-store";
import { findHubById } from "@/db/queries/hubs";
import {
  claimTemplateForSubmit,
  findOpenSuccessor,
  findTemplateById,
  insertTemplate,
  insertTemplateEvent,
  listTemplateNamesOfChannel,
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
import { editBody, editedTemplateOf, type EditTemplateInput, type MessagingApi } from "../hub/messaging-api";
import type { PartnerApi } from "../hub/partner-api";
import { partnerApiFor } from "../hub-config/connection";
import { templateSettingsOf } from "./settings";
import { fromComponents, parameterFormatOf, toComponents } from "./components";
import type { ButtonDraft, TemplateDraft } from "./draft";
import { hubRefusalFindings, outcomeUnknown } from "./hub-findings";
import { hasErrors, lintTemplate, type Finding } from "./lint";
import { listRemoteTemplates } from "./sync";
import { enqueueChannelSync } from "./sync-jobs";
import { normaliseStatus } from "./status";
import { emitTemplateChanges } from "./events";

export type TemplateDeps = { db?: Database; messagingApi?: MessagingApiFactory; partnerApi?: (hub: Hub) => Pick<PartnerApi, "editWabaTemplate"> };

export type SaveInput = { channelId: string; templateId?: string; draft: TemplateDraft };

export type SubmitOutcome =
  | { kind: "saved"; templateId: string; status: string; message: string; findings: Finding[] }
  | { kind: "submitted"; templateId: string; status: string; message: string }
  | { kind: "refused"; templateId: string; message: string; findings: Finding[]; proposedName?: string }
  | { kind: "unknown"; templateId: string; message: string };

/** Statuses whose content staff may change: never written, refused on submit, or turned down or paused by Meta. */
export const EDITABLE_STATUSES = ["draft", "rejected", "submit_failed", "paused"];
/**
 * Statuses Meta lets a template be edited in, in place, under its id (docs/templates-meta.md §2). Approved ones
 * can be edited too, but only once a day and ten times a month, so the portal does not offer it.
 */
export const IN_PLACE_STATUSES = ["rejected", "paused"];
const STALE_CLAIM_SECONDS = 120;
const NAME_MAX = 512;

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

/**
 * What the editor cannot change comes from the stored template, never from the browser (docs/templates-meta.md
 * §3): its read-only buttons in the places the draft keeps them (any it left out are appended), its unknown
 * components as they are. A new template has none.
 */
export function withStoredKeptParts(draft: TemplateDraft, stored: Template | undefined): TemplateDraft {
  if (!stored) return { ...draft, buttons: draft.buttons.filter((b) => b.type !== "KEPT"), keptComponents: [] };
  const kept = fromComponents({ name: stored.name, language: stored.language, category: stored.requestedCategory ?? stored.category, components: stored.components });
  const keptButtons = kept.buttons.filter((b) => b.type === "KEPT");
  let next = 0;
  const buttons: ButtonDraft[] = [];
  for (const b of draft.buttons) {
    if (b.type !== "KEPT") buttons.push(b);
    else if (next < keptButtons.length) buttons.push(keptButtons[next++] as ButtonDraft);
  }
  return { ...draft, buttons: [...buttons, ...keptButtons.slice(next)], keptComponents: kept.keptComponents };
}

const nameTaken = (draft: TemplateDraft): AppError =>
  new AppError(
    "conflict:template_name",
    `This number already has a template named "${draft.name.trim()}" in ${draft.language.trim()}. Choose another name or language, or open that template.`,
    { fieldErrors: { name: ["Name and language are already used on this number."] } },
  );

/**
 * A free name for resubmitting `name` as a new template: `name_v2`, `name_v3`… (an existing `_vN` is counted
 * on), none of `taken` (what 360dialog lists and every name the portal has seen on the number, deleted ones
 * included: Meta holds a deleted name for 30 days, docs/templates-meta.md §2).
 */
export function proposeTemplateName(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const match = /^(.*?)_v(\d{1,4})$/.exec(name);
  const stem = match?.[1] || name;
  const from = match ? Number(match[2]) + 1 : 2;
  for (let n = from; n < from + 1000; n++) {
    const suffix = `_v${n}`;
    const candidate = `${stem.slice(0, NAME_MAX - suffix.length)}${suffix}`;
    if (!used.has(candidate)) return candidate;
  }
  return `${stem.slice(0, NAME_MAX - 14)}_${Date.now()}`;
}

/**
 * Stores what the user wrote, before anything is sent: a failed submission never loses the text (the draft
 * stays). A rejected template keeps its status while edited, so the list still says what Meta decided.
 *
 * A template Meta already holds keeps its name and language: Meta never renames one, and deleting it to reuse
 * the name is refused for 30 days (docs/templates-meta.md §2). So a new name or language on such a row starts
 * its successor (a new row that `replaces` it) instead; the old row stays, linked, until the successor is
 * accepted, and is then hidden from the lists.
 */
export async function saveTemplateDraft(actor: Actor, input: SaveInput, deps: TemplateDeps = {}): Promise<Template> {
  const db = deps.db ?? (await getDb());
  return db.transaction(async (tx) => {
    const { channel, hub } = await loadTarget(tx, input.channelId);
    let saved: Template | undefined;
    if (input.templateId) {
      const existing = await findTemplateById({ db: tx, id: input.templateId });
      if (!existing || existing.channelId !== channel.id) throw new AppError("not_found:template", "That template does not exist on this number.");
      if (existing.replacedById) {
        throw new AppError("conflict:template_replaced", "This template was resubmitted under a new name; open its newer version to change it.");
      }
      if (!EDITABLE_STATUSES.includes(existing.status)) {
        throw new AppError("conflict:template_status", `This template is ${existing.status}; only drafts, rejected and paused templates can be changed.`);
      }
      const columns = draftColumns(withStoredKeptParts(input.draft, existing));
      const renamed = columns.name !== existing.name || columns.language !== existing.language;
      if (renamed && existing.externalId) {
        saved = await saveSuccessor(tx, actor, existing, columns, hub, channel, input.draft);
      } else {
        try {
          saved = await tx.transaction((inner) => updateTemplate({ db: inner, id: existing.id, set: columns }));
        } catch (error) {
          if (isUniqueViolation(error)) throw nameTaken(input.draft);
          throw error;
        }
      }
    } else {
      const columns = draftColumns(withStoredKeptParts(input.draft, undefined));
      saved = await insertTemplate({ db: tx, template: { ...columns, hubId: hub.id, channelId: channel.id, status: "draft", createdBy: actor.id } });
      if (!saved) throw nameTaken(input.draft);
      await insertTemplateEvent({ db: tx, event: { templateId: saved.id, status: "draft", category: saved.category, source: "user" } });
    }
    await publishChange(tx, { topic: "template", id: saved.id, hubId: hub.id });
    return saved;
  });
}

async function saveSuccessor(
  tx: Executor,
  actor: Actor,
  existing: Template,
  columns: ReturnType<typeof draftColumns>,
  hub: Hub,
  channel: Channel,
  draft: TemplateDraft,
): Promise<Template> {
  const open = await findOpenSuccessor({ db: tx, replacesId: existing.id });
  if (open) {
    try {
      return await updateTemplate({ db: tx, id: open.id, set: { ...columns, ...(open.status === "submitting" ? {} : { status: "draft" }) } });
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(draft);
      throw error;
    }
  }
  const created = await insertTemplate({
    db: tx,
    template: { ...columns, hubId: hub.id, channelId: channel.id, status: "draft", createdBy: actor.id, replacesId: existing.id },
  });
  if (!created) throw nameTaken(draft);
  await insertTemplateEvent({
    db: tx,
    event: { templateId: created.id, status: "draft", category: created.category, reason: `Resubmission of ${existing.name} (${existing.language}) under a new name.`, source: "user" },
  });
  return created;
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
  // What is sent is what was stored (with the template's read-only parts), not the browser's copy.
  const stored = fromComponents({ name: saved.name, language: saved.language, category: saved.requestedCategory ?? saved.category, components: saved.components });
  return submitSaved(actor, saved, { ...stored, allowCategoryChange: saved.allowCategoryChange }, deps);
}

/** A hub that does not offer the edit call answers so; anything else is an answer about the template. */
function editUnavailable(error: unknown): boolean {
  return isHubError(error) && error.code === "http" && (error.status === 404 || error.status === 405 || error.status === 501);
}

/** Meta's refusals of a name: taken in this language (2388024) or deleted less than 30 days ago (2388023). */
function nameRefused(error: unknown): boolean {
  if (!isHubError(error)) return false;
  const words = `${(error.details ?? []).join(" ")} ${error.developerMessage ?? ""}`;
  return /2388023|2388024|already exists|being deleted|deleted in the past|can't be added while/i.test(words);
}

async function proposeFor(messaging: MessagingApi, db: Executor, saved: Template): Promise<string> {
  const [remote, local] = await Promise.all([
    listRemoteTemplates(messaging).then((r) => r.map((t) => t.name)).catch(() => [] as string[]),
    listTemplateNamesOfChannel({ db, channelId: saved.channelId }),
  ]);
  return proposeTemplateName(saved.name, [...remote, ...local]);
}

function newNameRefusal(saved: Template, proposed: string, why: string): SubmitOutcome {
  const message = `${why} Resubmit it under a new name: ${proposed} (free on this number). The rejected version stays in this template's history.`;
  return {
    kind: "refused",
    templateId: saved.id,
    proposedName: proposed,
    message,
    findings: [{ field: "name", rule: "resubmit-new-name", severity: "error", message: `Use a new name, e.g. ${proposed}.` }],
  };
}

async function submitSaved(actor: Actor, saved: Template, draft: TemplateDraft, deps: TemplateDeps): Promise<SubmitOutcome> {
  const db = deps.db ?? (await getDb());
  const { channel, hub } = await loadTarget(db, saved.channelId);
  const messaging = await messagingApiForChannel(db, hub, channel, deps.messagingApi);
  const previous = saved.status;
  const claimed = await claimTemplateForSubmit({ db, id: saved.id, from: EDITABLE_STATUSES, staleSeconds: STALE_CLAIM_SECONDS });
  if (!claimed) throw new AppError("conflict:template_busy", "This template is being submitted already (another tab or click). Reload to see its status.");
  const release = (status: string) => updateTemplate({ db, id: saved.id, set: { status } });
  const parameterFormat = parameterFormatOf(draft) === "NAMED" ? ("NAMED" as const) : undefined;
  const components = toComponents(draft);

  // Rejected or paused at Meta under this name: edited in place, never deleted and created again (a deleted
  // name is refused for 30 days, docs/templates-meta.md §2).
  if (IN_PLACE_STATUSES.includes(previous)) {
    if (!saved.externalId) {
      await release(previous);
      const proposed = await proposeFor(messaging, db, saved);
      return newNameRefusal(saved, proposed, "The portal does not know this template's id at 360dialog, so it cannot be edited in place.");
    }
    const address = templateSettingsOf(hub).editAddress;
    if (address === "off") {
      await release(previous);
      const proposed = await proposeFor(messaging, db, saved);
      return newNameRefusal(saved, proposed, "Editing in place is turned off for this hub (Settings), and Meta keeps the name.");
    }
    if (address === "partner_patch" && !channel.wabaId) {
      await release(previous);
      const proposed = await proposeFor(messaging, db, saved);
      return newNameRefusal(saved, proposed, "The portal does not know this number's WABA account at 360dialog, so the Partner API cannot edit its template.");
    }
    try {
      const input: EditTemplateInput = { components, category: draft.category, ...(parameterFormat ? { parameterFormat } : {}) };
      // The address this hub chose (docs/templates-meta.md §2.2); any of them answering 404/405/501 means "not offered".
      const answer =
        address === "partner_patch"
          ? editedTemplateOf(await (deps.partnerApi ?? partnerApiFor)(hub).editWabaTemplate(channel.wabaId!, saved.externalId, editBody(input)))
          : await messaging.editTemplate(saved.externalId, input, { method: address === "messaging_post" ? "POST" : "PATCH" });
      const status = normaliseStatus(answer.status) ?? "pending";
      const category = answer.category?.toUpperCase() ?? draft.category;
      return await recordAccepted(actor, saved, draft, hub, db, { status, category, externalId: saved.externalId, reason: answer.rejectedReason ?? null, how: "edited" });
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (editUnavailable(error)) {
        await release(previous);
        const proposed = await proposeFor(messaging, db, saved);
        return newNameRefusal(saved, proposed, "360dialog does not offer editing this template in place, and Meta keeps its name.");
      }
      return settleFailure(actor, saved, previous, hub, channel, error, db);
    }
  }

  try {
    const created = await messaging.createTemplate({
      name: saved.name,
      language: saved.language,
      category: draft.category,
      components,
      allowCategoryChange: draft.allowCategoryChange,
      ...(parameterFormat ? { parameterFormat } : {}),
    });
    const status = normaliseStatus(created.status) ?? "submitted";
    const category = created.category?.toUpperCase() ?? draft.category;
    return await recordAccepted(actor, saved, draft, hub, db, { status, category, externalId: created.id ?? null, reason: created.rejectedReason ?? null, how: "created" });
  } catch (error) {
    if (error instanceof AppError) throw error;
    const outcome = await settleFailure(actor, saved, previous, hub, channel, error, db);
    if (outcome.kind === "refused" && nameRefused(error)) {
      const proposed = await proposeFor(messaging, db, saved);
      return { ...outcome, proposedName: proposed, findings: [...outcome.findings, { field: "name", rule: "resubmit-new-name", severity: "error", message: `Meta holds this name; use a new one, e.g. ${proposed}.` }] };
    }
    return outcome;
  }
}

async function recordAccepted(
  actor: Actor,
  saved: Template,
  draft: TemplateDraft,
  hub: Hub,
  db: Database,
  got: { status: string; category: string; externalId: string | null; reason: string | null; how: "edited" | "created" },
): Promise<SubmitOutcome> {
  const changed = got.category !== draft.category;
  const done = await db.transaction(async (tx) => {
    const row = await updateTemplate({
      db: tx,
      id: saved.id,
      set: {
        status: got.status,
        rejectedReason: got.reason,
        externalId: got.externalId,
        category: got.category,
        requestedCategory: draft.category,
        categoryChanged: changed,
        submittedAt: new Date(),
      },
    });
    await emitTemplateChanges(tx, saved, row, "submit");
    await insertTemplateEvent({
      db: tx,
      event: { templateId: row.id, status: got.status, category: got.category, reason: got.how === "edited" ? "Edited in place and sent to Meta for review again." : got.reason, source: "submit" },
    });
    // The row this one replaces leaves the lists now that its successor is at Meta (docs/templates-meta.md §2).
    if (row.replacesId) {
      const old = await findTemplateById({ db: tx, id: row.replacesId });
      if (old && !old.replacedById) {
        await updateTemplate({ db: tx, id: old.id, set: { replacedById: row.id } });
        await insertTemplateEvent({ db: tx, event: { templateId: old.id, status: null, reason: `Resubmitted as ${row.name} (${row.language}).`, source: "user" } });
        await publishChange(tx, { topic: "template", id: old.id, hubId: hub.id });
      }
    }
    const resubmission = IN_PLACE_STATUSES.includes(saved.status) || row.replacesId !== null;
    await audit(
      tx,
      {
        actor,
        action: resubmission ? "template.resubmitted" : "template.submitted",
        targetType: "template",
        targetId: row.id,
        hubId: hub.id,
        detail: { name: row.name, language: row.language, category: draft.category, how: got.how, ...(row.replacesId ? { replaces: row.replacesId } : {}) },
      },
    );
    await publishChange(tx, { topic: "template", id: row.id, hubId: hub.id });
    return row;
  });
  const message = got.how === "edited" ? `Edited in place and sent to Meta for review again (${done.status}).` : `Submitted to Meta for review (${done.status}).`;
  return { kind: "submitted", templateId: done.id, status: done.status, message };
}

async function settleFailure(actor: Actor, saved: Template, previous: string, hub: Hub, channel: Channel, error: unknown, db: Database): Promise<SubmitOutcome> {
  const refusal = hubRefusalFindings(error);
  const unknown = outcomeUnknown(error);
  // Refused: back to editable, with Meta's words in the history. Unknown (timeout, 5xx): the create may have
  // landed, so the sync decides; until then the row says so rather than pretending either way.
  const status = refusal ? (IN_PLACE_STATUSES.includes(previous) ? previous : "submit_failed") : unknown ? "submit_unknown" : previous;
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
