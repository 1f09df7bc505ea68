"use client";

import { useActionState } from "react";
import { Field } from "@/app/_components/field";
import { Alert, buttonClass } from "@/app/_components/ui";
import { secondFactorAction } from "./actions";

export function SecondFactorForm({ callbackUrl, totp }: { callbackUrl: string; totp: boolean }) {
  const [state, action, pending] = useActionState(secondFactorAction, undefined);
  return (
    <form action={action} className="mt-6 space-y-4" noValidate>
      {state?.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field
        label={totp ? "Authentication code" : "Recovery code"}
        name="code"
        autoComplete="one-time-code"
        inputMode={totp ? "numeric" : "text"}
        autoFocus
        required
        hint={totp ? "The 6 digits your authenticator app shows, or one of your recovery codes." : "One of the recovery codes you saved."}
        errors={state?.fieldErrors?.code}
      />
      <button type="submit" className={`${buttonClass} w-full`} disabled={pending}>
        {pending ? "Checking…" : "Verify"}
      </button>
    </form>
  );
}
