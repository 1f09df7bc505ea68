"use client";

import { useActionState } from "react";
import { Field } from "@/app/_components/field";
import { Alert, buttonClass } from "@/app/_components/ui";
import { forgotPasswordAction } from "./actions";

export function ForgotPasswordForm({ mailReady }: { mailReady: boolean }) {
  const [state, action, pending] = useActionState(forgotPasswordAction, undefined);
  if (state?.ok) return <div className="mt-6"><Alert tone="success">{state.message}</Alert></div>;
  return (
    <form action={action} className="mt-6 space-y-4" noValidate>
      {!mailReady ? <Alert tone="warning">This portal cannot send mail (no SMTP server is set up). Ask an admin to issue you a one-time password.</Alert> : null}
      {state?.message ? <Alert>{state.message}</Alert> : null}
      <Field label="Email" name="email" type="email" autoComplete="username" required defaultValue={state?.values?.email} errors={state?.fieldErrors?.email} />
      <button type="submit" className={`${buttonClass} w-full`} disabled={pending}>
        {pending ? "Sending…" : "Send me a link"}
      </button>
    </form>
  );
}
