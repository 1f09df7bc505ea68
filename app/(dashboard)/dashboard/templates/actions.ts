"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { validatedAction } from "@/lib/forms/validated-action";
import { noteRunQueued } from "@/lib/hub-config/health";
import { templateDraftSchema, type TemplateDraft } from "@/lib/templates/draft";
import type { Finding } from "@/lib/templates/lint";
import { saveOrSubmitTemplate } from "@/lib/templates/submit";
import { requestTemplateSync } from "@/lib/templates/sync-now";
import { requestFromForm } from "./_editor/form-draft";

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const syncTemplatesAction = validatedAction(
  z.object({ channelId: z.preprocess(blank, z.uuid().optional()), hubId: z.preprocess(blank, z.uuid().optional()) }),
  "operator",
  async (input, actor) => {
    const result = await requestTemplateSync(actor, input.channelId ? { channelId: input.channelId } : { hubId: input.hubId });
    // A whole hub's sync is a run its hub shows the outcome of (docs/hub-settings.md §6).
    if (!input.channelId && input.hubId) await noteRunQueued({ hubId: input.hubId, kind: "templateSync", requestedBy: actor.email });
    return { ok: true, message: `${result.message} Statuses update here as they arrive.` };
  },
);

/** What the editor shows after a refusal it could not be redirected away from (360dialog's or Meta's words). */
export type TemplateFormRefusal = { templateId: string; channelId: string; draft: TemplateDraft; findings: Finding[]; proposedName?: string };

/**
 * The template editor's form posted before its script has loaded (with the script, the editor posts JSON to
 * /api/templates instead). Redirect after POST wherever something was stored, so Back and reload never replay the
 * submission or bring back an old form: a submitted template opens its page; a saved draft, or one the linter
 * stopped, opens its edit page, which lints the stored draft again and shows each finding at its field.
 */
export const saveTemplateFormAction = validatedAction(
  z.preprocess(requestFromForm, z.object({ channelId: z.uuid("Choose a number."), templateId: z.uuid().optional(), action: z.enum(["save", "submit"]), draft: templateDraftSchema })),
  "operator",
  async (input, actor) => {
    const outcome = await saveOrSubmitTemplate(actor, input);
    const page = `/dashboard/templates/${encodeURIComponent(outcome.templateId)}`;
    switch (outcome.kind) {
      case "submitted":
      case "unknown":
        redirect(page);
      case "saved":
        redirect(`${page}/edit?saved=1`);
      case "refused": {
        const linterOnly = outcome.findings.every((f) => f.rule !== "hub");
        if (linterOnly) redirect(`${page}/edit?check=1`);
        const data: TemplateFormRefusal = { templateId: outcome.templateId, channelId: input.channelId, draft: input.draft, findings: outcome.findings, ...(outcome.proposedName ? { proposedName: outcome.proposedName } : {}) };
        return { ok: false, message: `${outcome.message} Your draft is saved.`, data };
      }
    }
  },
);
