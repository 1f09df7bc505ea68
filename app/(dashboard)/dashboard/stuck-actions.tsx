"use client";

import { useActionState } from "react";
import { Alert, secondaryButtonClass } from "@/app/_components/ui";
import type { ActionState } from "@/lib/forms/validated-action";
import { replayJobAction, resolveRestrictionAction, retryKeyAction } from "./channels/[id]/actions";
import { reconcileAction } from "./overview-actions";

// One form per row of "Needs attention", each with the one action its row offers (the page picks which): a row
// holds a single action state, so the 50 rows of a page render 50 small forms, not 50 × 3 (docs/nextjs.md §3).

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
