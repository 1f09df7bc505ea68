"use client";

import { useActionState } from "react";
import { Field, Select } from "@/app/_components/field";
import { Alert, buttonClass } from "@/app/_components/ui";
import { LOCALES, LOCALE_NAMES } from "@/lib/i18n/locales";
import { createInviteAction } from "./actions";
import { IssuedInviteBox } from "./issued-invite";


export function CreateInviteForm({ hubs, defaultExpiry }: { hubs: { id: string; name: string }[]; defaultExpiry: string }) {
  const [state, action, pending] = useActionState(createInviteAction, undefined);
  const e = state?.fieldErrors ?? {};
  const v = state?.ok ? {} : (state?.values ?? {});
  const purpose = v.purpose ?? "new_number";
  return (
    <div className="space-y-4">
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      {state?.ok && state.data ? <IssuedInviteBox invite={state.data} /> : null}
      {/* A new key after each success empties the form for the next prospect. */}
      <form action={action} noValidate className="space-y-4" key={state?.ok ? state.data?.url : "form"}>
        <div className="grid gap-4 md:grid-cols-2">
          {hubs.length > 1 ? (
            <Select id="invite-hub" label="Hub" name="hubId" value={v.hubId ?? hubs[0]?.id} options={hubs.map((h) => [h.id, h.name])} errors={e.hubId} />
          ) : (
            <input type="hidden" name="hubId" value={hubs[0]?.id ?? ""} />
          )}
          <Field label="Label" name="label" defaultValue={v.label} errors={e.label} hint="For your staff, e.g. the company and contact." />
        </div>
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-slate-800">Purpose</legend>
          <div className="flex flex-wrap gap-6 text-sm">
            <label className="flex items-center gap-2">
              <input type="radio" name="purpose" value="new_number" defaultChecked={purpose === "new_number"} aria-describedby="purpose-new-hint" />
              New number
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="purpose" value="permission" defaultChecked={purpose === "permission"} aria-describedby="purpose-permission-hint" />
              Permission request
            </label>
          </div>
          <p id="purpose-new-hint" className="text-xs text-slate-500">New number: the client signs up with 360dialog and connects a WhatsApp number.</p>
          <p id="purpose-permission-hint" className="text-xs text-slate-500">Permission request: an existing client grants you API access to their numbers (direct-payment hubs).</p>
          {e.purpose?.length ? <p className="text-xs text-red-700">{e.purpose.join(" ")}</p> : null}
          <div className="max-w-md pt-2">
            <Field
              label="360dialog client ID"
              name="prefill.clientId"
              autoComplete="off"
              defaultValue={v["prefill.clientId"]}
              errors={e["prefill.clientId"]}
              hint="Required for a permission request: the client whose numbers you ask access to (see Clients). The request can only link this client."
            />
          </div>
        </fieldset>
        <fieldset className="space-y-3 rounded-md border border-slate-200 p-4">
          <legend className="px-1 text-sm font-semibold">Prefill for 360dialog (all optional)</legend>
          <div className="grid gap-4 md:grid-cols-2">
            <Field label="Email" name="prefill.email" type="email" autoComplete="off" defaultValue={v["prefill.email"]} errors={e["prefill.email"]} />
            <Field label="Name" name="prefill.name" autoComplete="off" defaultValue={v["prefill.name"]} errors={e["prefill.name"]} />
            <Field label="Phone number" name="prefill.number" type="tel" autoComplete="off" defaultValue={v["prefill.number"]} errors={e["prefill.number"]} hint="International format, like +49 151 23456789." />
            <Field label="Plan" name="prefill.planSelection" defaultValue={v["prefill.planSelection"]} errors={e["prefill.planSelection"]} hint="360dialog plan_selection, e.g. regular or premium." />
            <Field label="Partner payload / CRM id" name="prefill.partnerPayload" defaultValue={v["prefill.partnerPayload"]} errors={e["prefill.partnerPayload"]} hint="Comes back with the client, so you can match it in your CRM." />
            <Select id="invite-lang" label="Language" name="prefill.lang" value={v["prefill.lang"] ?? ""} options={[["", "Hub default"], ...LOCALES.map((l): [string, string] => [l, LOCALE_NAMES[l]])]} errors={e["prefill.lang"]} />
          </div>
        </fieldset>
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Expires" name="expiresAt" type="date" defaultValue={v.expiresAt ?? defaultExpiry} errors={e.expiresAt} hint="The link works through the end of this day (UTC)." />
          <Field label="Use limit" name="maxUses" type="number" min={1} max={1000} step={1} defaultValue={v.maxUses} errors={e.maxUses} hint="Optional: how many sign-ups may start from this link." />
        </div>
        <button type="submit" className={buttonClass} disabled={pending || hubs.length === 0}>
          {pending ? "Creating…" : "Create invite link"}
        </button>
      </form>
    </div>
  );
}
