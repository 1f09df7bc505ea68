import type { Finding } from "@/lib/templates/lint";

export type Notice = { tone: "success" | "error"; text: string };
export type EditorFlash = { notice: Notice; findings: Finding[] };

// After the first save, `router.replace` moves /new to /<id>/edit: a different page, so a new editor mounts from
// the stored template. The answer's notice and findings cross that hand-over here (this tab's memory only).
const pending = new Map<string, EditorFlash>();

export function leaveFlash(templateId: string, flash: EditorFlash): void {
  pending.set(templateId, flash);
}

/** Reads without removing (React may run a state initialiser twice); `dropFlash` runs from an effect. */
export function peekFlash(templateId: string | undefined): EditorFlash | undefined {
  return templateId === undefined ? undefined : pending.get(templateId);
}

export function dropFlash(templateId: string | undefined): void {
  if (templateId !== undefined) pending.delete(templateId);
}
