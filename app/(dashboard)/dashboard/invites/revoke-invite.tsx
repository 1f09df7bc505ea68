"use client";

import { useActionState, useState } from "react";
import { secondaryButtonClass } from "@/app/_components/ui";
import { revokeInviteAction } from "./actions";

const dangerClass = "inline-flex items-center justify-center whitespace-nowrap rounded-md bg-red-700 px-3 py-1.5 text-sm font-semibold text-white shadow-sm hover:bg-red-800 disabled:opacity-60";

/** Two clicks: "Revoke", then "Confirm revoke" (only that form sends confirm=yes). */
export function RevokeInvite({ inviteId }: { inviteId: string }) {
  const [confirming, setConfirming] = useState(false);
  const [state, action, pending] = useActionState(revokeInviteAction, undefined);
  if (state?.ok) return <span role="status" className="text-xs text-slate-600">{state.message}</span>;
  return (
    <div className="space-y-1">
      {confirming ? (
        <form action={action} className="flex flex-wrap items-center gap-2">
          <input type="hidden" name="inviteId" value={inviteId} />
          <input type="hidden" name="confirm" value="yes" />
          <span className="text-xs text-slate-700">The link stops working at once.</span>
          <button type="submit" className={dangerClass} disabled={pending}>
            {pending ? "Revoking…" : "Confirm revoke"}
          </button>
          <button type="button" className={secondaryButtonClass} onClick={() => setConfirming(false)}>Cancel</button>
        </form>
      ) : (
        <button type="button" className={secondaryButtonClass} onClick={() => setConfirming(true)}>Revoke</button>
      )}
      {state?.message && !state.ok ? <p role="alert" className="text-xs text-red-700">{state.message}</p> : null}
    </div>
  );
}
