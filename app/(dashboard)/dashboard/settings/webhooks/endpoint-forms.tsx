"use client";

import { useActionState } from "react";
import { Field } from "@/app/_components/field";
import { Alert, buttonClass, inputClass, secondaryButtonClass } from "@/app/_components/ui";
import {
  createEndpointAction,
  deleteEndpointAction,
  replayDeliveryAction,
  replaySinceAction,
  rotateSecretAction,
  sendTestAction,
  updateEndpointAction,
} from "./actions";

type Hub = { id: string; name: string };
type Initial = { endpointId?: string; url?: string; description?: string; eventTypes?: string[] | null; hubId?: string | null; enabled?: boolean };

function SecretOnce({ secret }: { secret: string }) {
  return (
    <div className="rounded border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="font-medium">Signing secret (shown once)</p>
      <code data-testid="endpoint-secret" className="mt-1 block break-all rounded bg-white p-2 font-mono text-xs">
        {secret}
      </code>
    </div>
  );
}

function EndpointFields({ types, hubs, initial, values, errors }: { types: string[]; hubs: Hub[]; initial: Initial; values: Record<string, string>; errors: Record<string, string[]> }) {
  const chosen = (t: string) => (Object.keys(values).length ? values[`type_${t}`] === "on" : (initial.eventTypes ?? []).includes(t));
  return (
    <>
      <Field label="URL" name="url" required defaultValue={values.url ?? initial.url} errors={errors.url} hint="https:// (plain http in development only). Private and loopback addresses are refused unless OUTBOUND_ALLOW_PRIVATE=1." />
      <Field label="Description" name="description" maxLength={200} defaultValue={values.description ?? initial.description} errors={errors.description} />
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">Events</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="allTypes" defaultChecked={Object.keys(values).length ? values.allTypes === "on" : !initial.eventTypes} /> Every event type (also ones added later)
        </label>
        <div className="grid grid-cols-1 gap-1 sm:grid-cols-2">
          {types.map((t) => (
            <label key={t} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name={`type_${t}`} defaultChecked={chosen(t)} /> <code className="text-xs">{t}</code>
            </label>
          ))}
        </div>
        {errors.eventTypes ? <p className="text-xs text-red-700">{errors.eventTypes.join(" ")}</p> : null}
      </fieldset>
      <div className="space-y-1">
        <label htmlFor="endpoint-hub" className="block text-sm font-medium">Hub</label>
        <select id="endpoint-hub" name="hubId" defaultValue={values.hubId ?? initial.hubId ?? ""} className={inputClass}>
          <option value="">Every hub</option>
          {hubs.map((h) => (
            <option key={h.id} value={h.id}>Only {h.name}</option>
          ))}
        </select>
        {errors.hubId ? <p className="text-xs text-red-700">{errors.hubId.join(" ")}</p> : null}
      </div>
    </>
  );
}

export function CreateEndpointForm({ types, hubs }: { types: string[]; hubs: Hub[] }) {
  const [state, action, pending] = useActionState(createEndpointAction, undefined);
  return (
    <form action={action} className="space-y-4" key={state?.ok ? state.data?.endpointId : "form"}>
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      {state?.ok && state.data ? (
        <>
          <SecretOnce secret={state.data.secret} />
          <a className={secondaryButtonClass} href={`/dashboard/settings/webhooks/${state.data.endpointId}`}>Open the endpoint</a>
        </>
      ) : null}
      <EndpointFields types={types} hubs={hubs} initial={{}} values={state?.ok ? {} : (state?.values ?? {})} errors={state?.fieldErrors ?? {}} />
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? "Adding…" : "Add endpoint"}
      </button>
    </form>
  );
}

export function EditEndpointForm({ types, hubs, initial }: { types: string[]; hubs: Hub[]; initial: Initial }) {
  const [state, action, pending] = useActionState(updateEndpointAction, undefined);
  const values = state?.ok ? {} : (state?.values ?? {});
  return (
    <form action={action} className="space-y-4">
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      <input type="hidden" name="endpointId" value={initial.endpointId} />
      <EndpointFields types={types} hubs={hubs} initial={initial} values={values} errors={state?.fieldErrors ?? {}} />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="enabled" defaultChecked={Object.keys(values).length ? values.enabled === "on" : initial.enabled} /> Enabled (turning it on again sends what waited, in order)
      </label>
      <button type="submit" className={buttonClass} disabled={pending}>
        {pending ? "Saving…" : "Save endpoint"}
      </button>
    </form>
  );
}

function IdForm({ endpointId, action, label, tone = "secondary", children }: { endpointId: string; action: (p: never, f: FormData) => Promise<{ ok: boolean; message?: string }>; label: string; tone?: "primary" | "secondary"; children?: React.ReactNode }) {
  const [state, run, pending] = useActionState(action as (p: { ok: boolean; message?: string } | undefined, f: FormData) => Promise<{ ok: boolean; message?: string }>, undefined);
  return (
    <form action={run} className="space-y-2">
      <input type="hidden" name="endpointId" value={endpointId} />
      {children}
      <button type="submit" className={tone === "primary" ? buttonClass : secondaryButtonClass} disabled={pending}>
        {label}
      </button>
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
    </form>
  );
}

export function SendTestButton({ endpointId }: { endpointId: string }) {
  return <IdForm endpointId={endpointId} action={sendTestAction} label="Send test event" />;
}

export function DeleteEndpointButton({ endpointId }: { endpointId: string }) {
  return <IdForm endpointId={endpointId} action={deleteEndpointAction} label="Delete endpoint" />;
}

export function ReplaySinceForm({ endpointId }: { endpointId: string }) {
  return (
    <IdForm endpointId={endpointId} action={replaySinceAction} label="Replay everything since">
      <Field label="Since (UTC)" name="since" type="datetime-local" required step={1} />
    </IdForm>
  );
}

export function ReplayDeliveryButton({ endpointId, deliveryId }: { endpointId: string; deliveryId: string }) {
  const [state, run, pending] = useActionState(replayDeliveryAction, undefined);
  return (
    <form action={run}>
      <input type="hidden" name="endpointId" value={endpointId} />
      <input type="hidden" name="deliveryId" value={deliveryId} />
      <button type="submit" className={secondaryButtonClass} disabled={pending}>
        Replay
      </button>
      {state?.message ? <p className={state.ok ? "text-xs text-green-700" : "text-xs text-red-700"}>{state.message}</p> : null}
    </form>
  );
}

export function RotateSecretForm({ endpointId }: { endpointId: string }) {
  const [state, run, pending] = useActionState(rotateSecretAction, undefined);
  return (
    <form action={run} className="space-y-2" key={state?.ok ? state.data?.secret : "form"}>
      <input type="hidden" name="endpointId" value={endpointId} />
      {state?.ok && state.data ? <SecretOnce secret={state.data.secret} /> : null}
      <Field label="Keep the previous secret signing for (hours)" name="overlapHours" type="number" min={0} max={168} defaultValue="24" errors={state?.fieldErrors?.overlapHours} />
      <button type="submit" className={secondaryButtonClass} disabled={pending}>
        Rotate secret
      </button>
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
    </form>
  );
}
