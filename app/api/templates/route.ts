import { z } from "zod";
import { requireRole } from "@/lib/auth/session";
import { isAppError, publicMessageOf } from "@/lib/errors";
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
  if (!isSameOriginRequest(req)) return Response.json({ message: "Cross-site request refused." }, { status: 403, headers: noStore });
  try {
    const actor = await requireRole("operator");
    const body = await readJsonRequest(req, MAX_BODY_BYTES);
    if (!body.ok) {
      if (body.reason === "too_large") return Response.json({ message: "The template is too large to store." }, { status: 413, headers: noStore });
      if (body.reason === "timeout") return Response.json({ message: "The request took too long to arrive." }, { status: 408, headers: { ...noStore, Connection: "close" } });
      return Response.json({ message: "The request was not valid JSON." }, { status: 400, headers: noStore });
    }
    const parsed = requestSchema.safeParse(body.data);
    if (!parsed.success) {
      const findings = parsed.error.issues.map((i) => ({ field: fieldOf(i.path), rule: "shape", severity: "error" as const, message: i.message }));
      return Response.json({ message: "Some fields could not be read; nothing was saved.", findings }, { status: 422, headers: noStore });
    }
    const outcome = await saveOrSubmitTemplate(actor, parsed.data);
    switch (outcome.kind) {
      case "saved":
      case "submitted":
        return Response.json({ templateId: outcome.templateId, status: outcome.status, message: outcome.message }, { headers: noStore });
      case "refused":
        return Response.json({ templateId: outcome.templateId, message: outcome.message, findings: outcome.findings }, { status: 422, headers: noStore });
      case "unknown":
        // The draft is stored and a sync decides what 360dialog holds; the template page shows it.
        return Response.json({ templateId: outcome.templateId, status: "submit_unknown", message: outcome.message }, { headers: noStore });
    }
  } catch (error) {
    const status = isAppError(error) ? error.status : 500;
    const findings = isAppError(error) && error.fieldErrors
      ? Object.entries(error.fieldErrors).flatMap(([field, messages]) => messages.map((message) => ({ field, rule: error.code, severity: "error" as const, message })))
      : undefined;
    return Response.json({ message: publicMessageOf(error), ...(findings ? { findings } : {}) }, { status, headers: noStore });
  }
}

function fieldOf(path: PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  if (head === "draft") return rest.join(".") || "form";
  return head === "channelId" ? "channel" : "form";
}
