"use client";

import { useActionState } from "react";
import { Field, NewPasswordFields } from "@/app/_components/field";
import { Alert, buttonClass } from "@/app/_components/ui";
import { changePasswordAction } from "./actions";

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState(changePasswordAction, undefined);
  const e = state?.fieldErrors ?? {};
  return (
    <form action={action} className="mt-6 space-y-4">
      {state?.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required errors={e.currentPassword} />
      <NewPasswordFields name="newPassword" label="New password" confirmLabel="Repeat the new password" errors={e.newPassword} confirmErrors={e.confirm} />
      <button type="submit" className={`${buttonClass} w-full`} disabled={pending}>
        {pending ? "Saving…" : "Save password"}
      </button>
    </form>
  );
}
