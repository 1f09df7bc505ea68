"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { Field, Select } from "@/app/_components/field";
import { Alert, buttonClass, secondaryButtonClass } from "@/app/_components/ui";
import { saveHubAction } from "./actions";

export type HubFormDefaults = {
  hubId?: string;
  name: string;
  partnerId: string;
  partnerApiBaseUrl: string;
  ioBaseUrl: string;
  ioVersion: "v1" | "v2";
  messagingBaseUrl: string;
  paymentMode: "partner" | "direct";
  ioSignature: "off" | "hex" | "base64";
  openSignup: boolean;
  authKind: "api_key" | "token";
  hasCredentials: boolean;
  hasPlatformSecret: boolean;
  channelWebhookUrl: string;
  stuckNotRunningHours: number;
  stuckNoKeyMinutes: number;
  stuckNoPermissionHours: number;
  templateSyncMinutes: number;
  wabaSecretIn: "url" | "header";
  templateEditAddress: "messaging_patch" | "messaging_post" | "partner_patch" | "off";
};


export function HubForm({ defaults }: { defaults: HubFormDefaults }) {
  const [state, action, pending] = useActionState(saveHubAction, undefined);
  const v = { ...Object.fromEntries(Object.entries(defaults).map(([k, val]) => [k, String(val)])), ...(state?.values ?? {}) };
  const e = state?.fieldErrors ?? {};
  const [authKind, setAuthKind] = useState(defaults.authKind);
  const keep = (stored: boolean) => (stored ? "Stored. Leave empty to keep it." : undefined);
  return (
    <form action={action} className="space-y-5">
      {state?.message && !state.ok ? <Alert>{state.message}</Alert> : null}
      {defaults.hubId ? <input type="hidden" name="hubId" value={defaults.hubId} /> : null}
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Name" name="name" required defaultValue={v.name} errors={e.name} hint="For your staff, e.g. “Partner-paid hub”." />
        <Field label="Partner ID" name="partnerId" required defaultValue={v.partnerId} errors={e.partnerId} hint="From the Partner Hub (Integration), ends in PA. It is part of this hub's webhook URL." />
        <Select id="hub-payment" label="Payment mode" name="paymentMode" value={v.paymentMode ?? "partner"} options={[["partner", "Partner payment"], ["direct", "Direct payment"]]} hint="Direct payment: clients grant API-key permission per number." />
        <Select id="hub-io-signature" label="IO Signature" name="ioSignature" value={v.ioSignature ?? "off"} options={[["off", "Off"], ["hex", "On, hex digest"], ["base64", "On, base64 digest"]]} hint="Must match the switch in the Partner Hub." />
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="openSignup" defaultChecked={v.openSignup === "true" || v.openSignup === "on"} /> Open signup: anyone may start onboarding from the start page (otherwise invite links only)
      </label>
      <fieldset className="space-y-3 rounded-md border border-slate-200 p-4">
        <legend className="px-1 text-sm font-semibold">Partner API credentials</legend>
        <div className="flex gap-6 text-sm">
          <label className="flex items-center gap-2">
            <input type="radio" name="authKind" value="api_key" checked={authKind === "api_key"} onChange={() => setAuthKind("api_key")} /> API key (recommended)
          </label>
          <label className="flex items-center gap-2">
            <input type="radio" name="authKind" value="token" checked={authKind === "token"} onChange={() => setAuthKind("token")} /> Legacy login (username and password)
          </label>
        </div>
        {authKind === "api_key" ? (
          <Field label="Partner API key" name="apiKey" type="password" autoComplete="off" errors={e.apiKey} hint={keep(defaults.hasCredentials && defaults.authKind === "api_key")} />
        ) : (
          <div className="grid gap-4 md:grid-cols-2">
            <Field label="Username" name="username" autoComplete="off" errors={e.username} hint={keep(defaults.hasCredentials && defaults.authKind === "token")} />
            <Field label="Password" name="password" type="password" autoComplete="off" errors={e.password} />
          </div>
        )}
        <Field label="Platform secret" name="platformSecret" type="password" autoComplete="off" errors={e.platformSecret} hint={keep(defaults.hasPlatformSecret) ?? "Signs IO Signatures and webhooks. A new one keeps the old one valid for webhooks for 7 days."} />
      </fieldset>
      <fieldset className="space-y-3 rounded-md border border-slate-200 p-4">
        <legend className="px-1 text-sm font-semibold">Numbers</legend>
        <Field
          label="Messaging webhook URL for every number"
          name="channelWebhookUrl"
          type="url"
          defaultValue={v.channelWebhookUrl}
          errors={e.channelWebhookUrl}
          hint="Optional. Set on each number after its API key is generated (a new key resets it at 360dialog)."
        />
        <div className="grid gap-4 md:grid-cols-3">
          <Field label="Stuck: not running after (hours)" name="stuckNotRunningHours" type="number" min={1} required defaultValue={v.stuckNotRunningHours} errors={e.stuckNotRunningHours} />
          <Field label="Stuck: running without key after (minutes)" name="stuckNoKeyMinutes" type="number" min={1} required defaultValue={v.stuckNoKeyMinutes} errors={e.stuckNoKeyMinutes} />
          <Field label="Stuck: no permission after (hours)" name="stuckNoPermissionHours" type="number" min={1} required defaultValue={v.stuckNoPermissionHours} errors={e.stuckNoPermissionHours} />
          <Field label="Template sync every (minutes)" name="templateSyncMinutes" type="number" min={0} required defaultValue={v.templateSyncMinutes} errors={e.templateSyncMinutes} hint="Checks templates awaiting Meta's review; 0 turns it off." />
        </div>
        <Select
          id="hub-waba-secret-in"
          label="WABA webhook secret travels"
          name="wabaSecretIn"
          value={v.wabaSecretIn ?? "url"}
          options={[["url", "In the URL and as a header (recommended)"], ["header", "As a header only"]]}
          hint="360dialog does not document whether it forwards custom headers, so by default the secret is also part of the URL. Changing this sets every number's WABA webhook again at the next reconcile."
        />
        <Select
          id="hub-template-edit"
          label="Edit a rejected template in place through"
          name="templateEditAddress"
          value={v.templateEditAddress ?? "messaging_patch"}
          options={[
            ["messaging_patch", "Messaging API: PATCH /v1/configs/templates/{id}"],
            ["messaging_post", "Messaging API: POST /v1/configs/templates/{id}"],
            ["partner_patch", "Partner API: PATCH …/waba_accounts/{waba}/waba_templates/{id}"],
            ["off", "Never: always resubmit under a new name"],
          ]}
          hint="360dialog does not document its edit call. If the hub answers the chosen one with 404 or 405, the portal proposes a new name instead; nothing is deleted either way."
        />
      </fieldset>
      <details className="rounded-md border border-slate-200 p-4" open={Boolean(e.partnerApiBaseUrl || e.ioBaseUrl || e.messagingBaseUrl)}>
        <summary className="cursor-pointer text-sm font-semibold">360dialog URLs (change only for staging hubs)</summary>
        <div className="mt-3 grid gap-4 md:grid-cols-2">
          <Field label="Partner API base URL" name="partnerApiBaseUrl" required defaultValue={v.partnerApiBaseUrl} errors={e.partnerApiBaseUrl} />
          <Field label="Onboarding (IO) base URL" name="ioBaseUrl" required defaultValue={v.ioBaseUrl} errors={e.ioBaseUrl} />
          <Select id="hub-io-version" label="Onboarding version" name="ioVersion" value={v.ioVersion ?? "v1"} options={[["v1", "Hub v1 (dashboard/app)"], ["v2", "Hub v2 (onboarding)"]]} />
          <Field label="Messaging API base URL" name="messagingBaseUrl" required defaultValue={v.messagingBaseUrl} errors={e.messagingBaseUrl} hint="Default for channels; each API key brings its own address." />
        </div>
      </details>
      {e.confirmWebhookUrlChange ? (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-4 text-sm">
          <label className="flex items-start gap-2">
            <input type="checkbox" name="confirmWebhookUrlChange" aria-invalid="true" aria-describedby="confirm-webhook-error" />
            <span>Save the new partner ID and with it the new webhook URL</span>
          </label>
          <p id="confirm-webhook-error" className="mt-1 text-amber-900">{e.confirmWebhookUrlChange.join(" ")}</p>
        </div>
      ) : null}
      <div className="flex gap-3">
        <button type="submit" className={buttonClass} disabled={pending}>{pending ? "Saving…" : "Save hub"}</button>
        <Link href="/dashboard/settings" className={secondaryButtonClass}>Cancel</Link>
      </div>
    </form>
  );
}
