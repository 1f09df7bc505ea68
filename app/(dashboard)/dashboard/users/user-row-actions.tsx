"use client";

import { useActionState } from "react";
import { Alert, inputClass, secondaryButtonClass } from "@/app/_components/ui";
import type { UserRole } from "@/lib/auth/roles";
import { changeRoleAction, resetAccessAction, setDisabledAction } from "./actions";
import { IssuedAccessBox } from "./issued-access";
import { useLatestAnswer } from "./use-latest-answer";

type Row = { id: string; email: string; role: UserRole; disabled: boolean };
type Kind = "role" | "disable" | "reset";

export function UserRowActions({ user, isSelf }: { user: Row; isSelf: boolean }) {
  const [roleState, roleAction, rolePending] = useActionState(changeRoleAction, undefined);
  const [disableState, disableAction, disablePending] = useActionState(setDisabledAction, undefined);
  const [resetState, resetAction, resetPending] = useActionState(resetAccessAction, undefined);
  // Only the answer to this row's latest action is shown, and only until any other form on the page is submitted: a
  // refusal such as "the last active admin" must not stay beside the page after later actions changed what it was about.
  const { root, latest: last, started } = useLatestAnswer<Kind>();
  // Before hydration (no script yet) a form posts alone and the page comes back with that one answer.
  const states = { role: roleState, disable: disableState, reset: resetState };
  const message = last === "dropped" ? undefined : last ? states[last] : [roleState, disableState, resetState].find((s) => s?.message);
  return (
    <div ref={root} className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <form action={roleAction} onSubmit={started("role")} className="flex items-center gap-2">
          <input type="hidden" name="userId" value={user.id} />
          <label className="sr-only" htmlFor={`role-${user.id}`}>Role of {user.email}</label>
          <select id={`role-${user.id}`} name="role" defaultValue={user.role} className={`${inputClass} w-32 py-1`}>
            <option value="viewer">Viewer</option>
            <option value="operator">Operator</option>
            <option value="admin">Admin</option>
          </select>
          <button type="submit" className={secondaryButtonClass} disabled={rolePending} aria-label={`Save role of ${user.email}`}>
            Save role
          </button>
        </form>
        {!isSelf && user.disabled ? (
          <form action={disableAction} onSubmit={started("disable")}>
            <input type="hidden" name="userId" value={user.id} />
            <input type="hidden" name="disabled" value="false" />
            <button type="submit" className={secondaryButtonClass} disabled={disablePending} aria-label={`Enable ${user.email}`}>
              Enable
            </button>
          </form>
        ) : null}
        {!isSelf && !user.disabled ? (
          // Disabling signs the user out everywhere: it asks first. A <details> opens without JavaScript, so the
          // question is also asked when the page is used before (or without) hydration.
          <details className="group">
            <summary className={`${secondaryButtonClass} cursor-pointer list-none [&::-webkit-details-marker]:hidden`} aria-label={`Disable ${user.email}`}>
              Disable
            </summary>
            <form action={disableAction} onSubmit={started("disable")} className="mt-2 space-y-2 rounded-md border border-red-200 bg-red-50 p-3 text-sm">
              <p className="text-red-900">Disable {user.email}? They are signed out everywhere at once and cannot sign in until enabled again.</p>
              <input type="hidden" name="userId" value={user.id} />
              <input type="hidden" name="disabled" value="true" />
              <input type="hidden" name="confirm" value="yes" />
              <button type="submit" className={secondaryButtonClass} disabled={disablePending}>
                Yes, disable {user.email}
              </button>
            </form>
          </details>
        ) : null}
        {!isSelf ? (
          <form action={resetAction} onSubmit={started("reset")}>
            <input type="hidden" name="userId" value={user.id} />
            <input type="hidden" name="method" value="invite" />
            <button type="submit" className={secondaryButtonClass} disabled={resetPending} aria-label={`New invite link for ${user.email}`}>
              New invite link
            </button>
          </form>
        ) : null}
      </div>
      {message?.message ? <Alert tone={message.ok ? "success" : "error"}>{message.message}</Alert> : null}
      {/* A link shown once stays until the page is left, whatever is done next. */}
      {resetState?.ok && resetState.data ? <IssuedAccessBox access={resetState.data} /> : null}
    </div>
  );
}
