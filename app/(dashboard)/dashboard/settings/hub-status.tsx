import { Badge } from "@/app/_components/ui";
import { formatMinute } from "@/lib/dates";
import { templateSyncSummary, type HubRun } from "@/lib/hub-config/health";
import type { HubSummary } from "@/lib/hub-config/settings";
import { ReconcileButton } from "../stuck-actions";
import { SyncTemplatesButton } from "../templates/sync-button";

const SOURCE = { test: "connection test", save: "check after saving", reconcile: "reconcile" } as const;

/** The last connection test, save check or reconcile, and what it found (docs/hub-settings.md §6). */
export function HubHealthLine({ hub }: { hub: HubSummary }) {
  if (!hub.health) return <p className="mt-3 text-sm text-slate-600" data-testid="hub-health">Not tested yet: press Test connection.</p>;
  return (
    <p className={`mt-3 text-sm ${hub.health.ok ? "text-emerald-800" : "text-red-800"}`} data-testid="hub-health">
      Last {SOURCE[hub.health.source]} ({formatMinute(new Date(hub.health.at))} UTC): {hub.health.message}
    </p>
  );
}

const STATE = { queued: ["Queued", "slate"], running: ["Running", "blue"], done: ["Finished", "green"], failed: ["Failed", "red"] } as const;

function Run({ title, run, testId }: { title: string; run: HubRun | undefined; testId: string }) {
  return (
    <div className="rounded-md border border-slate-200 p-3 text-sm" data-testid={testId}>
      <div className="flex items-center gap-2 font-medium">
        {title}
        {run ? <Badge tone={STATE[run.state][1]}>{STATE[run.state][0]}</Badge> : null}
      </div>
      {run ? (
        <>
          <p className="mt-1 text-slate-800">{title === "Template sync" ? templateSyncSummary(run) : run.summary}</p>
          {run.errors?.length ? (
            <ul className="mt-1 list-disc pl-5 text-red-800">
              {run.errors.map((e, i) => (
                <li key={i}>{e}</li>
              ))}
            </ul>
          ) : null}
          <p className="mt-1 text-xs text-slate-500">
            {formatMinute(new Date(run.at))} UTC{run.requestedBy ? ` · ${run.requestedBy === "schedule" ? "scheduled" : `started by ${run.requestedBy}`}` : ""}
          </p>
        </>
      ) : (
        <p className="mt-1 text-slate-600">No run yet.</p>
      )}
    </div>
  );
}

/** The last reconcile and template sync of one hub, fed by their jobs, with the buttons that start them. */
export function LastRuns({ hub }: { hub: HubSummary }) {
  return (
    <section className="mt-4 border-t border-slate-100 pt-4" aria-label={`Last runs of ${hub.name}`}>
      <h3 className="text-sm font-semibold">Last runs</h3>
      <div className="mt-2 grid gap-3 md:grid-cols-2">
        <Run title="Reconcile" run={hub.lastRuns.reconcile} testId="last-reconcile" />
        <Run title="Template sync" run={hub.lastRuns.templateSync} testId="last-template-sync" />
      </div>
      {hub.archivedAt ? null : (
        <div className="mt-3 flex flex-wrap gap-2">
          <ReconcileButton hubId={hub.id} hubName={hub.name} />
          <SyncTemplatesButton hubId={hub.id} label={`Sync templates of ${hub.name} now`} />
        </div>
      )}
    </section>
  );
}
