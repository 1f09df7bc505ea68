"use client";

import { useActionState } from "react";
import { Alert, inputClass, secondaryButtonClass } from "@/app/_components/ui";
import type { UserRole } from "@/db/schema";
import { changeRoleAction, resetAccessAction, setDisabledAction } from "./actions";
import { IssuedAccessBox } from "./issued-access";

type Row = { id: string; email: string; role: UserRole; disabled: boolean };

export function UserRowActions({ user, isSelf }: { user: Row; isSelf: boolean }) {
  const [roleState, roleAction, rolePending] = useActionState(changeRoleAction, undefined);
  const [disableState, disableAction, disablePending] = useActionState(setDisabledAction, undefined);
  const [resetState, resetAction, resetPending] = useActionState(resetAccessAction, undefined);
  const message = [roleState, disableState, resetState].find((s) => s?.message);
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <form action={roleAction} className="flex items-center gap-2">
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
        {!isSelf ? (
          <form action={disableAction}>
            <input type="hidden" name="userId" value={user.id} />
            <input type="hidden" name="disabled" value={user.disabled ? "false" : "true"} />
            <button type="submit" className={secondaryButtonClass} disabled={disablePending} aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.email}`}>
              {user.disabled ? "Enable" : "Disable"}
            </button>
          </form>
        ) : null}
        {!isSelf ? (
          <form action={resetAction}>
            <input type="hidden" name="userId" value={user.id} />
            <input type="hidden" name="method" value="invite" />
            <button type="submit" className={secondaryButtonClass} disabled={resetPending} aria-label={`New invite link for ${user.email}`}>
              New invite link
            </button>
          </form>
        ) : null}
      </div>
      {message?.message ? <Alert tone={message.ok ? "success" : "error"}>{message.message}</Alert> : null}
      {resetState?.ok && resetState.data ? <IssuedAccessBox access={resetState.data} /> : null}
    </div>
  );
}
