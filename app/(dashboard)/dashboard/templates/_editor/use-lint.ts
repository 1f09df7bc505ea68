import { useEffect, useState } from "react";
import type { TemplateDraft } from "@/lib/templates/draft";
import { lintTemplate, type Finding } from "@/lib/templates/lint";

/** The linter never stops the editor: a crash on odd text becomes a note, and the server checks again anyway. */
export function safeLint(draft: TemplateDraft): Finding[] {
  try {
    return lintTemplate(draft);
  } catch {
    return [{ field: "form", rule: "lint-failed", severity: "warning", message: "The live check could not read this text; the portal checks it again when you submit." }];
  }
}

/** The draft's findings, re-checked ~150 ms after the last change. */
export function useDebouncedLint(draft: TemplateDraft, delayMs = 150): Finding[] {
  const [findings, setFindings] = useState(() => safeLint(draft));
  useEffect(() => {
    const timer = setTimeout(() => setFindings(safeLint(draft)), delayMs);
    return () => clearTimeout(timer);
  }, [draft, delayMs]);
  return findings;
}
