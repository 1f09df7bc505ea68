"use client";

import { useActionState } from "react";
import { Field, NewPasswordFields } from "@/app/_components/field";
import { Alert, buttonClass } from "@/app/_components/ui";
import { setupAction } from "./actions";

export function SetupForm() {
  const [state, action, pending] = useActionState(setupAction, undefined);
  const e = state?.fieldErrors ?? {};
  return (
    <form action={action} className="mt-6 space-y-4">
      {state?.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      <Field label="Your name" name="name" autoComplete="name" required defaultValue={state?.values?.name} errors={e.name} />
      <Field label="Email" name="email" type="email" autoComplete="username" required defaultValue={state?.values?.email} errors={e.email} />
      <NewPasswordFields errors={e.password} confirmErrors={e.confirm} />
      <button type="submit" className={`${buttonClass} w-full`} disabled={pending}>
        {pending ? "Creating…" : "Create administrator"}
      </button>
    </form>
  );
}
