"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Field, Select } from "@/app/_components/field";
import { Alert, buttonClass } from "@/app/_components/ui";
import { addManualChannelAction } from "./actions";

export function ManualChannelForm({ hubs }: { hubs: { id: string; name: string }[] }) {
  const [state, action, pending] = useActionState(addManualChannelAction, undefined);
  const e = state?.fieldErrors ?? {};
  const v = state?.ok ? {} : (state?.values ?? {});
  const added = state?.ok ? (state.data as { channelId: string } | undefined) : undefined;
  return (
    <div className="space-y-4">
      {state?.message ? <Alert tone={state.ok ? "success" : "error"}>{state.message}</Alert> : null}
      {added ? (
        <p className="text-sm">
          <Link className="text-brand-700 underline" href={`/dashboard/channels/${added.channelId}`}>Open the number</Link> ·{" "}
          <Link className="text-brand-700 underline" href={`/dashboard/templates/new?channel=${added.channelId}`}>Write a template for it</Link> ·{" "}
          <Link className="text-brand-700 underline" href={`/dashboard/templates?channel=${added.channelId}`}>See its templates</Link> (a sync reads the ones it has: press Sync now there)
        </p>
      ) : null}
      <form action={action} noValidate className="space-y-4" key={added?.channelId ?? "form"} autoComplete="off">
        <div className="grid gap-4 md:grid-cols-2">
          {hubs.length > 1 ? (
            <Select id="manual-hub" label="Hub" name="hubId" value={v.hubId ?? hubs[0]?.id} options={hubs.map((h) => [h.id, h.name])} errors={e.hubId} />
          ) : (
            <input type="hidden" name="hubId" value={hubs[0]?.id ?? ""} />
          )}
          <Field label="Phone number" name="phoneNumber" inputMode="tel" required defaultValue={v.phoneNumber} errors={e.phoneNumber} hint="International format, e.g. +49 151 2345 6789." />
          <Field label="API key" name="apiKey" type="password" required errors={e.apiKey} hint="The number's D360-API-KEY. Checked with 360dialog, then stored encrypted; it is never shown again." />
          <Field label="360dialog channel ID (optional)" name="externalId" defaultValue={v.externalId} errors={e.externalId} hint="If you know it, webhooks about this number then find it." />
          <Field label="Display name (optional)" name="displayName" defaultValue={v.displayName} errors={e.displayName} />
          <Field label="Client name (optional)" name="clientName" defaultValue={v.clientName} errors={e.clientName} hint="Creates a client for this number." />
          <Field label="Messaging API address (optional)" name="messagingBaseUrl" type="url" defaultValue={v.messagingBaseUrl} errors={e.messagingBaseUrl} hint="Leave empty for the hub's messaging address." />
        </div>
        <button type="submit" className={buttonClass} disabled={pending}>{pending ? "Checking the key…" : "Check the key and add the number"}</button>
      </form>
    </div>
  );
}
