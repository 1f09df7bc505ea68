import type { TemplateDraft } from "@/lib/templates/draft";
import { TextField } from "./controls";
import { parseMinutes } from "./draft-edits";
import { controlProps, FieldFindings, type FindingMap } from "./finding-list";

/** Authentication templates: Meta writes the text; staff choose only these options and the code button. */
export function AuthFields(props: { draft: TemplateDraft; findings: FindingMap; onPatch: (patch: Partial<TemplateDraft>) => void }) {
  const { draft, findings, onPatch } = props;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600">
        Meta writes the text of authentication templates itself (“123456 is your verification code.”); the preview shows what customers see.
      </p>
      <div className="space-y-1">
        <label className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            {...controlProps(findings, "addSecurityRecommendation")}
            checked={draft.addSecurityRecommendation}
            onChange={(e) => onPatch({ addSecurityRecommendation: e.target.checked })}
            className="mt-0.5 accent-brand-700"
          />
          Add security recommendation (“For your security, do not share this code.”)
        </label>
        <FieldFindings findings={findings} path="addSecurityRecommendation" />
      </div>
      <div className="max-w-xs">
        <TextField
          path="codeExpirationMinutes"
          label="Code expiration (minutes)"
          type="number"
          inputMode="numeric"
          min={1}
          max={90}
          step={1}
          value={draft.codeExpirationMinutes === null ? "" : String(draft.codeExpirationMinutes)}
          onValue={(v) => onPatch({ codeExpirationMinutes: parseMinutes(v) })}
          findings={findings}
          hint="1 to 90; shown as “This code expires in N minutes.” Leave empty for no expiry line."
        />
      </div>
    </div>
  );
}
