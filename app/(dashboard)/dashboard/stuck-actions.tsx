"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Alert, secondaryButtonClass } from "@/app/_components/ui";
import type { StuckAction } from "@/lib/channels/stuck";
import type { ActionState } from "@/lib/forms/validated-action";
import { replayJobAction, resolveRestrictionAction, retryKeyAction } from "./channels/[id]/actions";
import { reconcileAction } from "./overview-actions";

// The rows of "Needs attention" (the Overview's oldest few and the page of its own), each with the one action its
// row offers: a row holds a single action state, so 50 rows render 50 small forms, not 50 × 3. The rows come in as
// plain data, written on the server, and are drawn here: the page's React Server Components payload then carries
// 50 small records instead of 50 trees of elements (docs/nextjs.md §3).

function ActionResult({ result }: { result: Pick<ActionState<unknown>, "ok" | "message"> | undefined }) {
  return result?.message ? <div className="mt-1"><Alert tone={result.ok ? "success" : "error"}>{result.message}</Alert></div> : null;
}

export function RetryKeyForm({ channelId }: { channelId: string }) {
  const [result, action, pending] = useActionState(retryKeyAction, undefined);
  return (
    <form action={action}>
      <input type="hidden" name="channelId" value={channelId} />
      <button type="submit" className={secondaryButtonClass} disabled={pending}>Retry the key</button>
      <ActionResult result={result} />
    </form>
  );
}

export function ReplayJobForm({ channelId, jobId }: { channelId: string; jobId: string }) {
  const [result, action, pending] = useActionState(replayJobAction, undefined);
  return (
    <form action={action}>
      <input type="hidden" name="channelId" value={channelId} />
      <input type="hidden" name="jobId" value={jobId} />
      <button type="submit" className={secondaryButtonClass} disabled={pending}>Run it again</button>
      <ActionResult result={result} />
    </form>
  );
}

export function ResolveRestrictionForm({ channelId }: { channelId: string }) {
  const [result, action, pending] = useActionState(resolveRestrictionAction, undefined);
  return (
    <form action={action}>
      <input type="hidden" name="channelId" value={channelId} />
      <button type="submit" className={secondaryButtonClass} disabled={pending}>Mark resolved</button>
      <ActionResult result={result} />
    </form>
  );
}

export function ReconcileButton({ hubId, hubName }: { hubId: string; hubName: string }) {
  const [state, action, pending] = useActionState(reconcileAction, undefined);
  return (
    <form action={action} className="inline-block">
      <input type="hidden" name="hubId" value={hubId} />
      <button type="submit" className={secondaryButtonClass} disabled={pending} aria-label={`Reconcile ${hubName} now`}>
        {pending ? "Queuing…" : `Reconcile ${hubName} now`}
      </button>
      {state?.message ? <div className="mt-1"><Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert></div> : null}
    </form>
  );
}

/** One entry of "Needs attention" as the server wrote it (lib/channels/stuck.ts `StuckChannel`, dates formatted). */
export type StuckRowData = {
  key: string;
  channelId: string;
  label: string;
  clientName: string | null;
  explanation: string;
  nextStep: string;
  /** "10 Feb 2025, 06:37" (UTC). */
  since: string;
  action: StuckAction;
  jobId: string | null;
};

/** The list of entries; `operator` shows each row's action (viewers read the list only). */
export function StuckRows({ rows, operator }: { rows: StuckRowData[]; operator: boolean }) {
  return (
    <ul className="divide-y divide-slate-100" aria-label="Stuck numbers">
      {rows.map((s) => (
        <li key={s.key} className="flex flex-wrap items-start justify-between gap-3 py-3 text-sm">
          <div className="min-w-0">
            <Link href={`/dashboard/channels/${s.channelId}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{s.label}</Link>
            {s.clientName ? <span className="text-slate-600"> · {s.clientName}</span> : null}
            <div className="text-slate-800">{s.explanation}</div>
            <div className="text-slate-600">Next step: {s.nextStep} <span className="text-slate-400">(since {s.since} UTC)</span></div>
          </div>
          {operator ? <StuckRowAction row={s} /> : null}
        </li>
      ))}
    </ul>
  );
}

function StuckRowAction({ row }: { row: StuckRowData }) {
  switch (row.action) {
    case "retry_key":
      return <RetryKeyForm channelId={row.channelId} />;
    case "replay_job":
      return row.jobId ? <ReplayJobForm channelId={row.channelId} jobId={row.jobId} /> : null;
    case "resolve_restriction":
      return <ResolveRestrictionForm channelId={row.channelId} />;
    case "resend_permission_invite":
      return <Link className={secondaryButtonClass} href="/dashboard/invites">Send a permission invite</Link>;
    default:
      return null;
  }
}
