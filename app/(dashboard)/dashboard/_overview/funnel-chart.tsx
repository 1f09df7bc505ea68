import Link from "next/link";
import { EmptyState } from "@/app/_components/ui";
import { durationWords, percentWords, type Funnel, type FunnelStep } from "@/lib/dashboard/funnel";

const number = new Intl.NumberFormat("en-GB");

// Pixel rows; bar widths are percentages of the SVG's own width, so the chart reflows from 390 px up without
// scaling its text.
const LABEL = 18;
const BAR = 16;
const GAP = 22;
const ROW = LABEL + BAR + GAP;

function countWords(step: FunnelStep, estimated: boolean): string {
  return `${estimated ? "≈" : ""}${number.format(step.count)}`;
}

function betweenWords(step: FunnelStep): string {
  const parts: string[] = [];
  if (step.ofPrevious !== null) parts.push(step.key === "started" ? `${percentWords(step.ofPrevious)} of opens led to a session` : `${percentWords(step.ofPrevious)} went on`);
  if (step.medianSeconds !== null) parts.push(`median ${durationWords(step.medianSeconds)}`);
  return parts.join(" · ");
}

function summary(funnel: Funnel, periodLabel: string): string {
  const parts = funnel.steps.map((s) => `${s.label}: ${countWords(s, funnel.sample !== null && !["link_opened", "started"].includes(s.key))}${s.ofStarted !== null && s.key !== "started" ? ` (${percentWords(s.ofStarted)} of started)` : ""}`);
  return `Onboarding funnel, ${periodLabel}. ${parts.join("; ")}.`;
}

/** Horizontal bars per step with count and share of starts, the conversion and median time between bars. */
export function FunnelChart({ funnel, periodLabel }: { funnel: Funnel; periodLabel: string }) {
  if (funnel.empty) {
    return (
      <EmptyState title="No onboarding in this period">
        Nobody opened an invite link or started an onboarding in this period ({periodLabel}).{" "}
        <Link href="/dashboard/invites" className="font-medium text-brand-700 underline">Send an invite link</Link> to a client, or pick a longer period.
      </EmptyState>
    );
  }
  const max = Math.max(1, ...funnel.steps.map((s) => s.count));
  const estimatedFrom = (s: FunnelStep) => funnel.sample !== null && s.key !== "link_opened" && s.key !== "started";
  const height = funnel.steps.length * ROW - GAP + 4;
  return (
    <div>
      <svg role="img" aria-label={summary(funnel, periodLabel)} width="100%" height={height} className="block overflow-visible text-[13px]">
        {funnel.steps.map((step, i) => {
          const top = i * ROW;
          const width = `${Math.max(step.count > 0 ? 0.5 : 0, (step.count / max) * 100)}%`;
          const right = `${countWords(step, estimatedFrom(step))}${step.ofStarted !== null && step.key !== "started" ? ` · ${percentWords(step.ofStarted)}` : ""}`;
          const next = funnel.steps[i + 1];
          return (
            <g key={step.key}>
              <text x="0" y={top + 13} className="fill-slate-800 font-medium">{step.label}</text>
              <text x="100%" y={top + 13} textAnchor="end" className="fill-slate-700 tabular-nums">{right}</text>
              <rect x="0" y={top + LABEL} width="100%" height={BAR} rx="3" className="fill-slate-100" />
              <rect x="0" y={top + LABEL} width={width} height={BAR} rx="3" className={step.key === "link_opened" ? "fill-slate-400" : "fill-brand-600"} />
              {next && betweenWords(next) ? (
                <text x="8" y={top + LABEL + BAR + 15} className="fill-slate-500 text-[12px]">↓ {betweenWords(next)}</text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <p className="mt-3 text-xs text-slate-600">
        Bar length: share of the largest step. Percent after a count: share of the sessions started in the period.
        {funnel.sample ? ` ≈ Estimated from a random sample of ${number.format(funnel.sample.size)} of the ${number.format(funnel.sample.of)} sessions started.` : ""}
      </p>
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer font-medium text-brand-700">The numbers, and how they are counted</summary>
        <div className="mt-2 overflow-x-auto">
          <table className="w-full min-w-[28rem] text-left text-sm">
            <caption className="sr-only">Onboarding funnel, {periodLabel}</caption>
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="py-1 pr-3">Step</th>
                <th scope="col" className="py-1 pr-3 text-right">Sessions</th>
                <th scope="col" className="py-1 pr-3 text-right">Of previous</th>
                <th scope="col" className="py-1 pr-3 text-right">Of started</th>
                <th scope="col" className="py-1 text-right">Median from previous</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {funnel.steps.map((s) => (
                <tr key={s.key}>
                  <th scope="row" className="py-1 pr-3 font-normal">{s.label}</th>
                  <td className="py-1 pr-3 text-right tabular-nums">{countWords(s, estimatedFrom(s))}</td>
                  <td className="py-1 pr-3 text-right tabular-nums">{percentWords(s.ofPrevious)}</td>
                  <td className="py-1 pr-3 text-right tabular-nums">{s.key === "link_opened" ? "—" : percentWords(s.ofStarted)}</td>
                  <td className="py-1 text-right tabular-nums">{s.medianSeconds === null ? "—" : durationWords(s.medianSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <dl className="mt-3 space-y-1 text-xs text-slate-600">
          <dt className="font-medium text-slate-700">Who is counted</dt>
          <dd>The onboarding sessions started in the period (their later steps count whenever they happened), plus the invite-link opens in the period.</dd>
          {funnel.steps.map((s) => (
            <dd key={s.key}><span className="font-medium text-slate-700">{s.label}:</span> {s.help}</dd>
          ))}
          <dt className="font-medium text-slate-700">How</dt>
          <dd>Each step counts once per session, at its first time; a session that skipped a step counts only at the steps it reached. &ldquo;Of previous&rdquo; divides a step by the one before (link opens: sessions started from an invite link ÷ opens). The median is the middle of the per-session times from the step before, over sessions that reached both.</dd>
        </dl>
      </details>
    </div>
  );
}
