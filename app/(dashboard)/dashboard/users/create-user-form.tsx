"use client";

import { useActionState } from "react";
import { Field } from "@/app/_components/field";
import { Alert, buttonClass, inputClass } from "@/app/_components/ui";
import { createUserAction } from "./actions";
import { IssuedAccessBox } from "./issued-access";

export function CreateUserForm() {
  const [state, action, pending] = useActionState(createUserAction, undefined);
  const e = state?.fieldErrors ?? {};
  const v = state?.ok ? {} : (state?.values ?? {});
  return (
    <form action={action} className="space-y-4" key={state?.ok ? state.data?.email : "form"}>
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      {state?.ok && state.data ? <IssuedAccessBox access={state.data} /> : null}
      <Field label="Email" name="email" type="email" required defaultValue={v.email} errors={e.email} />
      <Field label="Name" name="name" defaultValue={v.name} errors={e.name} />
      <div className="space-y-1">
        <label htmlFor="new-user-role" className="block text-sm font-medium">Role</label>
        <select id="new-user-role" name="role" defaultValue={v.role ?? "viewer"} className={inputClass}>
          <option value="viewer">Viewer</option>
          <option value="operator">Operator</option>
          <option value="admin">Admin</option>
        </select>
      </div>
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">Access</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="method" value="invite" defaultChecked={(v.method ?? "invite") === "invite"} /> Invite link (they choose a password)
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="radio" name="method" value="password" defaultChecked={v.method === "password"} /> One-time password
        </label>
      </fieldset>
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? "Adding…" : "Add user"}
      </button>
    </form>
  );
}
