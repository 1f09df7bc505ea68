"use client";

import { useActionState } from "react";
import { Alert, secondaryButtonClass } from "@/app/_components/ui";
import { syncTemplatesAction } from "./actions";

/** "Sync now" for one number (channelId) or every number with a key (optionally one hub). */
export function SyncTemplatesButton({ channelId, hubId, label }: { channelId?: string; hubId?: string; label: string }) {
  const [state, action, pending] = useActionState(syncTemplatesAction, undefined);
  return (
    <form action={action} className="inline-block">
      {channelId ? <input type="hidden" name="channelId" value={channelId} /> : null}
      {hubId ? <input type="hidden" name="hubId" value={hubId} /> : null}
      <button type="submit" className={secondaryButtonClass} disabled={pending}>{pending ? "Queuing…" : label}</button>
      {state?.message ? <div className="mt-1" role="status"><Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert></div> : null}
    </form>
  );
}
