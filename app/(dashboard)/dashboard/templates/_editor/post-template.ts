import type { TemplateDraft } from "@/lib/templates/draft";
import type { Finding } from "@/lib/templates/lint";
import { isRecord } from "@/lib/hub/json";

export type TemplateRequest = { channelId: string; templateId?: string; action: "save" | "submit"; draft: TemplateDraft };

export type TemplateAnswer =
  | { kind: "ok"; templateId: string; status: string; message: string }
  /** 422 (or a 4xx naming fields): the linter, 360dialog or Meta refused; the draft is stored when templateId is set. */
  /** `proposedName`: a free name to resubmit under, where Meta keeps the old one (docs/templates-meta.md §2). */
  | { kind: "refused"; templateId?: string; message: string; findings: Finding[]; proposedName?: string }
  | { kind: "failed"; templateId?: string; message: string }
  | { kind: "unreachable" };

export const UNREACHABLE_MESSAGE = "Could not reach the portal; nothing was sent. Your text is still here.";

export async function postTemplate(request: TemplateRequest, fetchImpl: typeof fetch = (...args) => fetch(...args)): Promise<TemplateAnswer> {
  let response: Response;
  try {
    response = await fetchImpl("/api/templates", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
  } catch {
    return { kind: "unreachable" };
  }
  const body: unknown = await response.json().catch(() => undefined);
  return readAnswer(response.status, body);
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

function isFinding(v: unknown): v is Finding {
  return (
    isRecord(v) &&
    typeof v.field === "string" &&
    typeof v.rule === "string" &&
    typeof v.message === "string" &&
    (v.severity === "error" || v.severity === "warning")
  );
}

/**
 * Reads the route's answer leniently: a proxy's HTML error page or a half-formed body still yields a message. An
 * error is problem details: `detail` is its message, `findings` and `templateId` ride along.
 */
export function readAnswer(status: number, body: unknown): TemplateAnswer {
  const record = isRecord(body) ? body : {};
  const templateId = str(record.templateId);
  if (status >= 200 && status < 300) {
    if (!templateId) return { kind: "failed", message: "The portal answered without saying which template it stored. Reload the template list to check." };
    return { kind: "ok", templateId, status: str(record.status) ?? "", message: str(record.message) ?? "Saved." };
  }
  const message = str(record.detail);
  const findings = Array.isArray(record.findings) ? record.findings.filter(isFinding) : [];
  // 422 is a refusal of the content; a 409 may also name a field ("name already used on this number").
  if (status === 422 || (status >= 400 && status < 500 && findings.length > 0)) {
    const proposedName = str(record.proposedName);
    return { kind: "refused", ...(templateId ? { templateId } : {}), ...(proposedName ? { proposedName } : {}), message: message ?? "The template was not accepted.", findings };
  }
  return { kind: "failed", ...(templateId ? { templateId } : {}), message: message ?? `The portal answered with an error (HTTP ${status}). Your text is still here.` };
}
