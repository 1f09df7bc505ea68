"use client";

import { useActionState } from "react";
import { Alert, secondaryButtonClass } from "@/app/_components/ui";
import { rotateWabaSecretAction } from "./waba-secret-actions";

/** Rotates the hub's WABA webhook secret header (docs/waba-webhook.md §2); admins only, confirmed by a tick. */
export function WabaSecretButton({ hubId, hubName }: { hubId: string; hubName: string }) {
  const [result, action, pending] = useActionState(rotateWabaSecretAction, undefined);
  return (
    <form action={action} className="mt-2 flex flex-wrap items-center gap-3">
      <input type="hidden" name="hubId" value={hubId} />
      <label className="flex items-center gap-2 text-xs text-slate-600">
        <input type="checkbox" name="confirm" /> Set every number&apos;s WABA webhook again
      </label>
      <button type="submit" className={secondaryButtonClass} disabled={pending} aria-label={`Rotate the WABA webhook secret of ${hubName}`}>
        {pending ? "Rotating…" : "Rotate secret"}
      </button>
      {result?.message ? <Alert tone={result.ok ? "success" : "error"}>{result.message}</Alert> : null}
      {result?.fieldErrors?.confirm ? <Alert tone="error">{result.fieldErrors.confirm.join(" ")}</Alert> : null}
    </form>
  );
}
