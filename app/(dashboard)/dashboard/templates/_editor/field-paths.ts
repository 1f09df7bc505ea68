import type { TemplateDraft } from "@/lib/templates/draft";
import type { Finding } from "@/lib/templates/lint";
import { sampleSlots } from "./draft-edits";

/** The DOM id of the control (or group) for a finding's field path, e.g. `buttons.0.text` → `tpl-buttons-0-text`. */
export function fieldId(path: string): string {
  return `tpl-${path.replace(/[^A-Za-z0-9_]+/g, "-")}`;
}

/** Not part of the draft: the editor's own check that a number was chosen. */
export const CHANNEL_FIELD = "channelId";

/** The field paths the form shows a control or group for, given what is in the draft now. */
export function renderedFields(
  draft: TemplateDraft,
  vars: { body: readonly number[]; headerText: readonly number[] },
): Set<string> {
  const paths = [CHANNEL_FIELD, "name", "language", "category", "allowCategoryChange", "buttons"];
  if (draft.category === "AUTHENTICATION") {
    paths.push("addSecurityRecommendation", "codeExpirationMinutes");
  } else {
    paths.push("header", "header.format", "body", "footer");
    const { header } = draft;
    if (header.format === "TEXT") {
      paths.push("header.text");
      if (vars.headerText.length > 0) paths.push("header.example");
    } else if (header.format === "IMAGE" || header.format === "VIDEO" || header.format === "GIF" || header.format === "DOCUMENT") {
      paths.push("header.example");
    }
    const slots = sampleSlots(vars.body);
    if (slots.length > 0) paths.push("bodyExamples");
    for (const n of slots) paths.push(`bodyExamples.${n - 1}`);
  }
  draft.buttons.forEach((b, i) => {
    paths.push(`buttons.${i}`);
    if (b.type === "KEPT") return; // read-only: no controls, findings go to the button's group
    if (b.type === "OTP") {
      paths.push(`buttons.${i}.otpType`);
      return;
    }
    paths.push(`buttons.${i}.text`);
    if (b.type === "URL") {
      paths.push(`buttons.${i}.url`);
      if (b.url.includes("{{")) paths.push(`buttons.${i}.example`);
    }
    if (b.type === "PHONE_NUMBER") paths.push(`buttons.${i}.phoneNumber`);
  });
  return new Set(paths);
}

export type PlacedFindings = {
  /** Findings by the path of the control they are shown under. */
  at: ReadonlyMap<string, readonly Finding[]>;
  /** Findings about the whole form, or about a field the form does not show now: shown at the top. */
  top: readonly Finding[];
};

/** Puts each finding under its field, or the nearest enclosing group shown (`buttons.2.url` → `buttons.2` → `buttons`). */
export function placeFindings(findings: readonly Finding[], rendered: ReadonlySet<string>): PlacedFindings {
  const at = new Map<string, Finding[]>();
  const top: Finding[] = [];
  for (const finding of findings) {
    const path = placeOf(finding.field, rendered);
    if (path === undefined) {
      top.push(finding);
      continue;
    }
    const list = at.get(path);
    if (list) list.push(finding);
    else at.set(path, [finding]);
  }
  return { at, top };
}

/** The path a finding is shown at, or undefined when it belongs at the top. */
export function placeOf(field: string, rendered: ReadonlySet<string>): string | undefined {
  const parts = field.split(".");
  for (let n = parts.length; n > 0; n--) {
    const path = parts.slice(0, n).join(".");
    if (rendered.has(path)) return path;
  }
  return undefined;
}

/**
 * The findings to show: the live lint, plus those from the server's last answer that the live lint does not
 * already say (360dialog's or Meta's own words, rules only the server checks). Server findings never block
 * "Submit": only the live lint does, since the server checks again anyway.
 */
export function mergeFindings(live: readonly Finding[], server: readonly Finding[]): Finding[] {
  const known = new Set(live.map((f) => `${f.field}\u0000${f.rule}`));
  return [...live, ...server.filter((f) => f.rule === "hub" || !known.has(`${f.field}\u0000${f.rule}`))];
}

export function countFindings(findings: readonly Finding[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const f of findings) if (f.severity === "error") errors++;
  return { errors, warnings: findings.length - errors };
}
