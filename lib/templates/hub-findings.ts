import "server-only";
import { isHubError, type HubError } from "../hub/http";
import type { Finding } from "./lint";

// 360dialog and Meta refuse a template in words (error_user_title / error_user_msg, developer_message), never
// with a documented field; the subcodes are not a stable vocabulary (docs/hub-contract.md §6). So the words are shown as
// they came, beside the field they most likely concern, and nothing branches on a code.

const FIELD_HINTS: [RegExp, string][] = [
  [/\bbutton/i, "buttons"],
  [/\bfooter/i, "footer"],
  [/\bheader|header_handle|header_text/i, "header.text"],
  [/\bsample|example|body_text/i, "body"],
  [/\bvariable|parameter|placeholder|\{\{/i, "body"],
  [/\bbody\b/i, "body"],
  [/\blanguage|content in this language already exists/i, "language"],
  [/\bcategory/i, "category"],
  [/\bname\b|template name/i, "name"],
];

export function fieldOfHubMessage(text: string): string {
  for (const [pattern, field] of FIELD_HINTS) if (pattern.test(text)) return field;
  return "form";
}

/** A refusal (4xx with words) as findings beside the fields; undefined for failures that say nothing about the template. */
export function hubRefusalFindings(error: unknown): Finding[] | undefined {
  if (!isHubError(error) || error.code !== "http" || error.status === null || error.status < 400 || error.status >= 500) return undefined;
  if (error.status === 401 || error.status === 403 || error.status === 429) return undefined;
  const words = wordsOf(error);
  if (words.length === 0) return [{ field: "form", rule: "hub", severity: "error", message: `360dialog refused the template (HTTP ${error.status}) without saying why.` }];
  const message = words.join(" — ");
  return [{ field: fieldOfHubMessage(message), rule: "hub", severity: "error", message }];
}

function wordsOf(error: HubError): string[] {
  const details = (error.details ?? []).filter((d) => d.trim() !== "");
  const generic = /^(invalid parameter|validation error|bad request)$/i;
  const developer = error.developerMessage && !generic.test(error.developerMessage.trim()) ? [error.developerMessage] : [];
  return [...new Set([...details, ...developer])];
}

/** Whether a failed create may still have reached 360dialog (the answer was lost), so a sync must settle it. */
export function outcomeUnknown(error: unknown): boolean {
  if (!isHubError(error)) return false;
  return error.code === "timeout" || error.code === "network" || error.code === "invalid_response" || (error.code === "http" && (error.status ?? 0) >= 500);
}
