import { Alert, buttonClass, secondaryButtonClass } from "@/app/_components/ui";
import { describeRejection } from "./rejection-reasons";

export function RejectionNotice({ reason }: { reason: string }) {
  const { title, hint } = describeRejection(reason);
  return (
    <Alert tone="warning">
      <p className="font-semibold">Meta rejected this template: {title}</p>
      {hint ? <p className="mt-1">{hint}</p> : null}
      <p className="mt-1">Change what is needed and resubmit; the text below is what was submitted.</p>
    </Alert>
  );
}

export function CategoryNote({ requested, current }: { requested: string | null; current: string }) {
  return (
    <Alert tone="info">
      {requested ? `Meta changed the category from ${requested} to ${current}.` : `Meta changed the category to ${current}.`}
    </Alert>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function submitStatusText(errors: number, warnings: number): string {
  if (errors > 0) {
    const rest = warnings > 0 ? ` (${plural(warnings, "warning")} would not stop it)` : "";
    return `${plural(errors, "error")} to fix before submitting${rest}. You can save the draft meanwhile.`;
  }
  if (warnings > 0) return `No errors; ${plural(warnings, "warning")} listed above: Meta may still refuse the template.`;
  return "No problems found: ready to submit.";
}

export function ActionBar(props: {
  busy: "save" | "submit" | null;
  errors: number;
  warnings: number;
  submitLabel: string;
  /** Before hydration the buttons post the form itself (server action): nothing may be disabled by a lint not yet run. */
  hydrated: boolean;
  onSave: () => void;
  onSubmit: () => void;
  onShowFindings: () => void;
}) {
  const { busy, errors, warnings, submitLabel, hydrated, onSave, onSubmit, onShowFindings } = props;
  return (
    <div className="space-y-2 border-t border-slate-200 pt-4">
      <div className="flex flex-wrap items-center gap-3">
        <button type="submit" name="action" value="save" className={secondaryButtonClass} disabled={busy !== null} onClick={onSave}>
          {busy === "save" ? "Saving…" : "Save draft"}
        </button>
        <button type="submit" name="action" value="submit" className={buttonClass} disabled={busy !== null || (hydrated && errors > 0)} aria-describedby="tpl-submit-status" onClick={onSubmit}>
          {busy === "submit" ? "Submitting…" : submitLabel}
        </button>
      </div>
      <div className="flex flex-wrap items-baseline gap-x-2 text-sm text-slate-600">
        <p id="tpl-submit-status">{submitStatusText(errors, warnings)}</p>
        {errors + warnings > 0 ? (
          <button type="button" onClick={onShowFindings} className="rounded-sm font-medium text-brand-700 underline underline-offset-2 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600">
            Show the list
          </button>
        ) : null}
      </div>
    </div>
  );
}
