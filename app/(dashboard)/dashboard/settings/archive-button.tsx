"use client";

import { useActionState } from "react";
import { Alert, secondaryButtonClass } from "@/app/_components/ui";
import { archiveHubAction } from "./actions";

/** Archive (soft: data kept, webhooks refused, no jobs) or restore a hub; a plain form, so it works before JS loads. */
export function ArchiveButton({ hubId, hubName, archived }: { hubId: string; hubName: string; archived: boolean }) {
  const [state, action, pending] = useActionState(archiveHubAction, undefined);
  return (
    <form action={action} className="inline-block">
      <input type="hidden" name="hubId" value={hubId} />
      <input type="hidden" name="archive" value={archived ? "restore" : "archive"} />
      <button type="submit" className={secondaryButtonClass} disabled={pending} aria-label={`${archived ? "Restore" : "Archive"} ${hubName}`}>
        {archived ? "Restore" : "Archive"}
      </button>
      {state?.message && !state.ok ? <div className="mt-1"><Alert>{state.message}</Alert></div> : null}
    </form>
  );
}
