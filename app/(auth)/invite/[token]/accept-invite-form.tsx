"use client";

import { useActionState } from "react";
import { Field, NewPasswordFields } from "@/app/_components/field";
import { Alert, buttonClass } from "@/app/_components/ui";
import { acceptInviteAction } from "./actions";

export function AcceptInviteForm({ token, defaultName }: { token: string; defaultName: string }) {
  const [state, action, pending] = useActionState(acceptInviteAction, undefined);
  const e = state?.fieldErrors ?? {};
  return (
    <form action={action} className="mt-6 space-y-4">
      {state?.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      <input type="hidden" name="token" value={token} />
      <Field label="Your name" name="name" autoComplete="name" defaultValue={state?.values?.name ?? defaultName} errors={e.name} />
      <NewPasswordFields errors={e.password} confirmErrors={e.confirm} />
      <button type="submit" className={`${buttonClass} w-full`} disabled={pending}>
        {pending ? "Saving…" : "Set password and continue"}
      </button>
    </form>
  );
}
