"use client";

import { useActionState } from "react";
import { Field } from "@/app/_components/field";
import { Alert, buttonClass, inputClass, secondaryButtonClass } from "@/app/_components/ui";
import { createTokenAction, revokeTokenAction } from "./actions";

type Scope = { id: string; words: string };

export function CreateTokenForm({ scopes, hubs }: { scopes: Scope[]; hubs: { id: string; name: string }[] }) {
  const [state, action, pending] = useActionState(createTokenAction, undefined);
  const e = state?.fieldErrors ?? {};
  const v = state?.ok ? {} : (state?.values ?? {});
  return (
    <form action={action} className="space-y-4" key={state?.ok ? state.data?.token : "form"}>
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      {state?.ok && state.data ? (
        <div className="rounded border border-amber-300 bg-amber-50 p-3 text-sm">
          <p className="font-medium">New token for {state.data.name} (shown once)</p>
          <code data-testid="new-api-token" className="mt-1 block break-all rounded bg-white p-2 font-mono text-xs">
            {state.data.token}
          </code>
        </div>
      ) : null}
      <Field label="Name" name="name" required maxLength={100} defaultValue={v.name} errors={e.name} hint="Where the token is used, e.g. “CRM production”." />
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">Scopes</legend>
        {scopes.map((s) => (
          <label key={s.id} className="flex items-center gap-2 text-sm">
            <input type="checkbox" name={`scope_${s.id}`} defaultChecked={v[`scope_${s.id}`] === "on" || (!state && s.id === "read")} /> {s.words}
          </label>
        ))}
        {e.scopes ? <p className="text-xs text-red-700">{e.scopes.join(" ")}</p> : null}
      </fieldset>
      <div className="space-y-1">
        <label htmlFor="token-hub" className="block text-sm font-medium">Hub</label>
        <select id="token-hub" name="hubId" defaultValue={v.hubId ?? ""} className={inputClass}>
          <option value="">Every hub</option>
          {hubs.map((h) => (
            <option key={h.id} value={h.id}>Only {h.name}</option>
          ))}
        </select>
        {e.hubId ? <p className="text-xs text-red-700">{e.hubId.join(" ")}</p> : null}
      </div>
      <Field label="Expires after (days)" name="expiresInDays" type="number" min={1} max={3650} defaultValue={v.expiresInDays} errors={e.expiresInDays} hint="Empty: never expires." />
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? "Creating…" : "Create token"}
      </button>
    </form>
  );
}

export function RevokeTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  const [state, action, pending] = useActionState(revokeTokenAction, undefined);
  return (
    <form action={action}>
      <input type="hidden" name="tokenId" value={tokenId} />
      <button type="submit" className={secondaryButtonClass} disabled={pending} aria-label={`Revoke ${name}`}>
        Revoke
      </button>
      {state?.message && !state.ok ? <p className="text-xs text-red-700">{state.message}</p> : null}
    </form>
  );
}
