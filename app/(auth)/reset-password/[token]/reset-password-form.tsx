"use client";

import { useActionState } from "react";
import { NewPasswordFields } from "@/app/_components/field";
import { Alert, buttonClass } from "@/app/_components/ui";
import { resetPasswordAction } from "./actions";

export function ResetPasswordForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState(resetPasswordAction, undefined);
  const e = state?.fieldErrors ?? {};
  return (
    <form action={action} className="mt-6 space-y-4">
      {state?.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      <input type="hidden" name="token" value={token} />
      <NewPasswordFields name="password" label="New password" confirmLabel="Repeat the new password" errors={e.password} confirmErrors={e.confirm} />
      <button type="submit" className={`${buttonClass} w-full`} disabled={pending}>
        {pending ? "Saving…" : "Save the new password"}
      </button>
    </form>
  );
}
