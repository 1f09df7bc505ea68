"use client";

import { useActionState } from "react";
import { Field } from "@/app/_components/field";
import { Alert, inputClass, secondaryButtonClass } from "@/app/_components/ui";
import { RecoveryCodes } from "@/app/(auth)/two-factor/totp-enrolment";
import { regenerateCodesAction, removeTotpAction } from "@/app/(auth)/two-factor/actions";
import { endOtherSessionsAction, endSessionAction, removePasskeyAction, renamePasskeyAction } from "./actions";

function Status({ state }: { state?: { ok: boolean; message?: string } }) {
  if (!state?.message) return null;
  return state.ok ? <p role="status" className="text-sm text-green-800">{state.message}</p> : <Alert>{state.message}</Alert>;
}

export function TotpManagement() {
  const [removed, remove, removing] = useActionState(removeTotpAction, undefined);
  const [regenerated, regenerate, regenerating] = useActionState(regenerateCodesAction, undefined);
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <form action={regenerate} className="space-y-2" noValidate>
        <h3 className="text-sm font-medium">New recovery codes</h3>
        <Status state={regenerated} />
        {regenerated?.ok && regenerated.data ? <RecoveryCodes codes={regenerated.data.recoveryCodes} /> : null}
        <Field id="regenerate-code" label="Code from the app" name="code" autoComplete="one-time-code" inputMode="numeric" errors={regenerated?.fieldErrors?.code} />
        <button type="submit" className={secondaryButtonClass} disabled={regenerating}>
          Make new recovery codes
        </button>
      </form>
      <form action={remove} className="space-y-2" noValidate>
        <h3 className="text-sm font-medium">Remove the authenticator app</h3>
        <Status state={removed} />
        <Field id="remove-code" label="Code from the app or a recovery code" name="code" autoComplete="one-time-code" errors={removed?.fieldErrors?.code} />
        <button type="submit" className={secondaryButtonClass} disabled={removing}>
          Remove authenticator app
        </button>
      </form>
    </div>
  );
}

export function PasskeyRow({ id, name }: { id: string; name: string }) {
  const [renamed, rename, renaming] = useActionState(renamePasskeyAction, undefined);
  const [removed, remove, removing] = useActionState(removePasskeyAction, undefined);
  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-2">
        <form action={rename} className="flex items-center gap-2">
          <input type="hidden" name="id" value={id} />
          <label className="sr-only" htmlFor={`passkey-${id}`}>Name of passkey {name}</label>
          <input id={`passkey-${id}`} name="name" defaultValue={name} maxLength={60} className={`${inputClass} w-48 py-1`} />
          <button type="submit" className={secondaryButtonClass} disabled={renaming}>
            Rename
          </button>
        </form>
        <form action={remove}>
          <input type="hidden" name="id" value={id} />
          <button type="submit" className={secondaryButtonClass} disabled={removing} aria-label={`Remove passkey ${name}`}>
            Remove
          </button>
        </form>
      </div>
      <Status state={renamed ?? removed} />
    </div>
  );
}

export function EndSessionButton({ id, label }: { id: string; label: string }) {
  const [state, action, pending] = useActionState(endSessionAction, undefined);
  return (
    <form action={action}>
      <input type="hidden" name="id" value={id} />
      <button type="submit" className={secondaryButtonClass} disabled={pending} aria-label={`End session ${label}`}>
        End
      </button>
      <Status state={state} />
    </form>
  );
}

export function EndOtherSessionsButton() {
  const [state, action, pending] = useActionState(endOtherSessionsAction, undefined);
  return (
    <form action={action} className="space-y-2">
      <button type="submit" className={secondaryButtonClass} disabled={pending}>
        End all other sessions
      </button>
      <Status state={state} />
    </form>
  );
}
