import { z } from "zod";
import { requireRole } from "@/lib/auth/session";
import { AppError, fieldErrorsOf, isAppError } from "@/lib/errors";
import { errorResponse, refusal } from "@/lib/http/error-response";
import { readJsonRequest } from "@/lib/http/json-body";
import { isSameOriginRequest } from "@/lib/http/same-origin";
import { templateDraftSchema } from "@/lib/templates/draft";
import { saveOrSubmitTemplate } from "@/lib/templates/submit";

export const dynamic = "force-dynamic";

const noStore = { "Cache-Control": "no-store" };
const MAX_BODY_BYTES = 64 * 1024;

const requestSchema = z.object({
  channelId: z.uuid("Choose a number."),
  templateId: z.uuid().optional(),
  action: z.enum(["save", "submit"]),
  draft: templateDraftSchema,
});

/** Saves a template draft and, for "submit", sends it to 360dialog (operator+, same origin). */
export async function POST(req: Request) {
  if (!isSameOriginRequest(req)) return refusal("forbidden:origin", "Cross-site request refused.", { headers: noStore });
  try {
    const actor = await requireRole("operator");
    const body = await readJsonRequest(req, MAX_BODY_BYTES);
    if (!body.ok) {
      if (body.reason === "too_large") return refusal("too_large", "The template is too large to store.", { headers: noStore });
      if (body.reason === "timeout") return refusal("timeout", "The request took too long to arrive.", { headers: { ...noStore, Connection: "close" } });
      return refusal("invalid", "The request was not valid JSON.", { headers: noStore });
    }
    const parsed = requestSchema.safeParse(body.data);
    if (!parsed.success) {
      const fieldErrors = fieldErrorsOf(parsed.error.issues.map((i) => ({ path: [fieldOf(i.path)], message: i.message })));
      const error = new AppError("unprocessable:template_shape", "Some fields could not be read; nothing was saved.", { fieldErrors });
      return errorResponse(error, { where: "templates", headers: noStore, extensions: { findings: findingsOf(fieldErrors, "shape") } });
    }
    const outcome = await saveOrSubmitTemplate(actor, parsed.data);
    switch (outcome.kind) {
      case "saved":
      case "submitted":
        return Response.json({ templateId: outcome.templateId, status: outcome.status, message: outcome.message }, { headers: noStore });
      case "refused":
        return errorResponse(new AppError("unprocessable:template_refused", outcome.message), {
          where: "templates",
          headers: noStore,
          extensions: { templateId: outcome.templateId, findings: outcome.findings, ...(outcome.proposedName ? { proposedName: outcome.proposedName } : {}) },
        });
      case "unknown":
        // The draft is stored and a sync decides what 360dialog holds; the template page shows it.
        return Response.json({ templateId: outcome.templateId, status: "submit_unknown", message: outcome.message }, { headers: noStore });
    }
  } catch (error) {
    // The editor shows field errors as findings beside the fields (lint findings carry a rule and a severity).
    const findings = isAppError(error) && error.fieldErrors ? findingsOf(error.fieldErrors, error.code) : undefined;
    return errorResponse(error, { where: "templates", headers: noStore, extensions: findings ? { findings } : {} });
  }
}

function findingsOf(fieldErrors: Record<string, string[]>, rule: string) {
  return Object.entries(fieldErrors).flatMap(([field, messages]) => messages.map((message) => ({ field, rule, severity: "error" as const, message })));
}

function fieldOf(path: PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  if (head === "draft") return rest.join(".") || "form";
  return head === "channelId" ? "channel" : "form";
}
