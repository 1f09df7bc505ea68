import { buttonClass, inputClass } from "@/app/_components/ui";
import type { FunnelPeriod, Preset, RejectedCustom } from "@/lib/dashboard/funnel";

const PRESET_OPTIONS: { value: Preset; label: string }[] = [
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "90d", label: "Last 90 days" },
];

/** A GET form, so the period and hub live in the URL (bookmarkable, shareable, no script needed). */
export function PeriodPicker({
  period,
  rejected,
  hubId,
  hubs,
}: {
  period: FunnelPeriod;
  /** Custom dates that were refused: shown as typed, with the reason beside them, never cleared. */
  rejected?: RejectedCustom;
  hubId: string | null;
  hubs: { id: string; name: string }[];
}) {
  const current = rejected ? "custom" : period.kind === "preset" ? period.preset : "custom";
  const fromValue = rejected ? rejected.from : period.kind === "custom" ? period.fromDay : undefined;
  const toValue = rejected ? rejected.to : period.kind === "custom" ? period.toDay : undefined;
  const invalid = rejected ? true : undefined;
  return (
    <form method="get" action="/dashboard" aria-label="Funnel period and hub" className="flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="o-period" className="block text-xs font-medium text-slate-600">Period</label>
        <select id="o-period" name="period" defaultValue={current} className={inputClass}>
          {PRESET_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>{o.label}</option>
          ))}
          <option value="custom">Custom dates</option>
        </select>
      </div>
      <div>
        <label htmlFor="o-from" className="block text-xs font-medium text-slate-600">From (UTC)</label>
        <input id="o-from" type="date" name="from" defaultValue={fromValue} aria-invalid={invalid} aria-describedby={rejected ? "o-dates-error" : undefined} className={inputClass} />
      </div>
      <div>
        <label htmlFor="o-to" className="block text-xs font-medium text-slate-600">To (UTC, included)</label>
        <input id="o-to" type="date" name="to" defaultValue={toValue} aria-invalid={invalid} aria-describedby={rejected ? "o-dates-error" : undefined} className={inputClass} />
      </div>
      {hubs.length > 1 ? (
        <div>
          <label htmlFor="o-hub" className="block text-xs font-medium text-slate-600">Hub</label>
          <select id="o-hub" name="hub" defaultValue={hubId ?? ""} className={inputClass}>
            <option value="">All hubs</option>
            {hubs.map((h) => (
              <option key={h.id} value={h.id}>{h.name}</option>
            ))}
          </select>
        </div>
      ) : null}
      <button type="submit" className={buttonClass}>Show</button>
      {rejected ? (
        <p id="o-dates-error" className="w-full text-sm text-red-700">
          {rejected.error}
        </p>
      ) : null}
    </form>
  );
}
