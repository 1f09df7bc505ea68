"use client";

import { useActionState } from "react";
import { Alert, secondaryButtonClass } from "@/app/_components/ui";
import { activateEmbeddedSignupAction } from "./actions";

export function ActivateEmbeddedSignup({ hubId, solutionId }: { hubId: string; solutionId: string }) {
  const [state, action, pending] = useActionState(activateEmbeddedSignupAction, undefined);
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="hubId" value={hubId} />
      <p className="text-sm text-slate-700">
        {solutionId
          ? `Tells 360dialog to accept numbers shared through Solution ID ${solutionId}. Do this once after saving a new Solution ID.`
          : "Save a Solution ID above first; this then tells 360dialog to accept numbers shared through it."}
      </p>
      <button type="submit" className={secondaryButtonClass} disabled={pending}>{pending ? "Activating…" : "Activate Embedded Signup at 360dialog"}</button>
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
    </form>
  );
}
