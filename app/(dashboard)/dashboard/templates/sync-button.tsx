"use client";

import { useActionState, type ReactNode } from "react";
import { Alert, secondaryButtonClass } from "@/app/_components/ui";
import { syncTemplatesAction } from "./actions";

/**
 * "Sync now" for one number (channelId) or every number with a key (optionally one hub). `children` are the
 * buttons beside it (New template, Edit): they share its row, and the answer goes on a line of its own below, so a
 * message never pushes them out of place.
 */
export function SyncTemplatesButton({ channelId, hubId, label, children }: { channelId?: string; hubId?: string; label: string; children?: ReactNode }) {
  const [state, action, pending] = useActionState(syncTemplatesAction, undefined);
  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap items-center justify-end gap-2">
        <form action={action}>
          {channelId ? <input type="hidden" name="channelId" value={channelId} /> : null}
          {hubId ? <input type="hidden" name="hubId" value={hubId} /> : null}
          <button type="submit" className={secondaryButtonClass} disabled={pending}>{pending ? "Queuing…" : label}</button>
        </form>
        {children}
      </div>
      {state?.message ? <div className="max-w-md" role="status"><Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert></div> : null}
    </div>
  );
}
