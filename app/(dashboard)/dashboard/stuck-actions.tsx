"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Alert, secondaryButtonClass } from "@/app/_components/ui";
import { replayJobAction, resolveRestrictionAction, retryKeyAction } from "./channels/[id]/actions";
import { reconcileAction } from "./overview-actions";

export function StuckAction({
  action,
  channelId,
  jobId,
}: {
  action: "retry_key" | "resend_permission_invite" | "replay_job" | "resolve_restriction" | null;
  channelId: string;
  jobId: string | null;
}) {
  const [retry, retryAction, retrying] = useActionState(retryKeyAction, undefined);
  const [replay, replayAction, replaying] = useActionState(replayJobAction, undefined);
  const [resolved, resolveAction, resolving] = useActionState(resolveRestrictionAction, undefined);
  const result = retry ?? replay ?? resolved;
  if (action === "resolve_restriction") {
    return (
      <form action={resolveAction}>
        <input type="hidden" name="channelId" value={channelId} />
        <button type="submit" className={secondaryButtonClass} disabled={resolving}>Mark resolved</button>
        {result?.message ? <div className="mt-1"><Alert tone={result.ok ? "success" : "error"}>{result.message}</Alert></div> : null}
      </form>
    );
  }
  if (action === "resend_permission_invite") {
    return <Link className={secondaryButtonClass} href="/dashboard/invites">Send a permission invite</Link>;
  }
  if (action === "retry_key") {
    return (
      <form action={retryAction}>
        <input type="hidden" name="channelId" value={channelId} />
        <button type="submit" className={secondaryButtonClass} disabled={retrying}>Retry the key</button>
        {result?.message ? <div className="mt-1"><Alert tone={result.ok ? "success" : "error"}>{result.message}</Alert></div> : null}
      </form>
    );
  }
  if (action === "replay_job" && jobId) {
    return (
      <form action={replayAction}>
        <input type="hidden" name="channelId" value={channelId} />
        <input type="hidden" name="jobId" value={jobId} />
        <button type="submit" className={secondaryButtonClass} disabled={replaying}>Run it again</button>
        {result?.message ? <div className="mt-1"><Alert tone={result.ok ? "success" : "error"}>{result.message}</Alert></div> : null}
      </form>
    );
  }
  return null;
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
