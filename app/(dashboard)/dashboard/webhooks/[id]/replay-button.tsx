"use client";

import { useActionState } from "react";
import { Alert, secondaryButtonClass } from "@/app/_components/ui";
import { replayAction } from "./actions";

export function ReplayButton({ id }: { id: string }) {
  const [state, action, pending] = useActionState(replayAction, undefined);
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="id" value={id} />
      <button type="submit" className={secondaryButtonClass} disabled={pending}>{pending ? "Replaying…" : "Replay"}</button>
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
    </form>
  );
}
