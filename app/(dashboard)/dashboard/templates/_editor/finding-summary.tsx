import type { Finding } from "@/lib/templates/lint";
import { countFindings, fieldId } from "./field-paths";
import { FindingText } from "./finding-list";

/** Moves focus to a field's control; for a group (radios, a button's fieldset) to its checked or first control. */
export function focusField(path: string): void {
  const el = document.getElementById(fieldId(path));
  if (!el) return;
  const target =
    el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement || el instanceof HTMLButtonElement
      ? el
      : (el.querySelector<HTMLElement>("input:checked, input:not([type=hidden]), select, textarea, button") ?? el);
  target.focus();
  target.scrollIntoView({ block: "center" });
}

export type SummaryItem = { finding: Finding; path: string | undefined };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Every finding at the top, errors first; each one shown under a field is a button that takes focus there. */
export function FindingSummary({ items, id }: { items: readonly SummaryItem[]; id: string }) {
  if (items.length === 0) return null;
  const { errors, warnings } = countFindings(items.map((i) => i.finding));
  const sorted = [...items].sort((a, b) => Number(b.finding.severity === "error") - Number(a.finding.severity === "error"));
  const title = [errors ? plural(errors, "error") : null, warnings ? plural(warnings, "warning") : null].filter(Boolean).join(" and ");
  return (
    <section
      aria-labelledby={`${id}-title`}
      className={`rounded-md border px-4 py-3 text-sm ${errors ? "border-red-200 bg-red-50" : "border-amber-200 bg-amber-50"}`}
    >
      <h2 id={`${id}-title`} tabIndex={-1} className="font-semibold text-slate-900 focus:outline-none">
        {title}
      </h2>
      <ul className="mt-2 space-y-1">
        {sorted.map(({ finding, path }, i) => (
          <li key={`${finding.field}-${finding.rule}-${i}`} className={finding.severity === "error" ? "text-red-800" : "text-amber-900"}>
            {path ? (
              <button
                type="button"
                onClick={() => focusField(path)}
                className="rounded-sm text-left underline-offset-2 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600"
              >
                <FindingText finding={finding} />
              </button>
            ) : (
              <FindingText finding={finding} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
