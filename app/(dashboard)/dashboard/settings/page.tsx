import type { Metadata } from "next";
import { TEMPLATE_SETTINGS_DEFAULTS, templateSettingsOf } from "@/lib/templates/settings";
import Link from "next/link";
import { Alert, Badge, Card, EmptyState, PageHeader, buttonClass, secondaryButtonClass } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { STUCK_DEFAULTS, stuckThresholds } from "@/lib/channels/stuck";
import { portalUrlsFor } from "@/lib/hub-config/connection";
import { defaultBases, listHubSummaries, type HubSummary } from "@/lib/hub-config/settings";
import { wabaWebhookUrlFor } from "@/lib/channels/waba-webhook";
import { WABA_WEBHOOK_SETTINGS_DEFAULTS, wabaWebhookSettingsOf } from "@/lib/hub-config/waba-webhook-settings";
import { WabaSecretButton } from "./waba-secret-button";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { formatMinute } from "@/lib/dates";
import { hubBadge } from "@/lib/hub-config/health";
import { ArchiveButton } from "./archive-button";
import { HubChecks } from "./hub-checks";
import { HubHealthLine, LastRuns } from "./hub-status";
import { HubForm, type HubFormDefaults } from "./hub-form";

export const metadata: Metadata = { title: "Settings" };

function formDefaults(hub: HubSummary | undefined): HubFormDefaults {
  if (!hub) {
    return {
      ...defaultBases("v1"),
      ...STUCK_FORM_DEFAULTS,
      name: "",
      partnerId: "",
      ioVersion: "v1",
      paymentMode: "partner",
      ioSignature: "off",
      openSignup: false,
      authKind: "api_key",
      hasCredentials: false,
      hasPlatformSecret: false,
      channelWebhookUrl: "",
    };
  }
  const stuck = stuckThresholds(hub.settings);
  return {
    hubId: hub.id,
    name: hub.name,
    partnerId: hub.partnerId,
    partnerApiBaseUrl: hub.partnerApiBaseUrl,
    ioBaseUrl: hub.ioBaseUrl,
    ioVersion: hub.ioVersion,
    messagingBaseUrl: hub.messagingBaseUrl,
    paymentMode: hub.paymentMode,
    ioSignature: hub.ioSignatureEnabled ? hub.ioSignatureEncoding : "off",
    openSignup: hub.openSignup,
    authKind: hub.authKind ?? "api_key",
    hasCredentials: hub.authKind !== null,
    hasPlatformSecret: hub.hasPlatformSecret,
    channelWebhookUrl: hub.channelWebhookUrl ?? "",
    stuckNotRunningHours: stuck.notRunningHours,
    stuckNoKeyMinutes: stuck.noKeyMinutes,
    stuckNoPermissionHours: stuck.noPermissionHours,
    templateSyncMinutes: templateSettingsOf(hub).syncIntervalMinutes,
    wabaSecretIn: wabaWebhookSettingsOf(hub).secretIn,
    templateEditAddress: templateSettingsOf(hub).editAddress,
  };
}

const STUCK_FORM_DEFAULTS = {
  stuckNotRunningHours: STUCK_DEFAULTS.notRunningHours,
  stuckNoKeyMinutes: STUCK_DEFAULTS.noKeyMinutes,
  stuckNoPermissionHours: STUCK_DEFAULTS.noPermissionHours,
  templateSyncMinutes: TEMPLATE_SETTINGS_DEFAULTS.syncIntervalMinutes,
  wabaSecretIn: WABA_WEBHOOK_SETTINGS_DEFAULTS.secretIn,
  templateEditAddress: TEMPLATE_SETTINGS_DEFAULTS.editAddress,
};

export default async function SettingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole("admin");
  const params = await searchParams;
  const hubs = await listHubSummaries();
  const editing = typeof params.edit === "string" ? hubs.find((h) => h.id === params.edit) : undefined;
  const adding = params.new === "1" || hubs.length === 0;
  return (
    <>
      <PageHeader
        title="Settings"
        description="Your 360dialog partner hubs. Secrets are stored encrypted and never shown again; leave a secret field empty to keep what is stored."
        actions={!adding && !editing ? <><Link href="/dashboard/settings/tokens" className={secondaryButtonClass}>API tokens</Link><Link href="/dashboard/settings/webhooks" className={secondaryButtonClass}>Webhooks</Link><Link href="/dashboard/settings/alerts" className={secondaryButtonClass}>Alerts</Link><Link href="/dashboard/settings?new=1" className={buttonClass}>Add a hub</Link></> : null}
      />
      {params.saved ? (
        <div className="mb-4 space-y-2">
          <Alert tone="success">Hub settings saved.</Alert>
          {params.check === "failed" ? <Alert tone="warning">The connection test after saving failed: see the reason on the hub below.</Alert> : null}
          {params.webhook === "changed" ? (
            <Alert tone="warning">The partner ID changed, so this hub&apos;s webhook URL changed too: press &ldquo;Register webhook and redirect URLs&rdquo; so 360dialog calls the new one.</Alert>
          ) : null}
        </div>
      ) : null}
      {params.archived ? <div className="mb-4"><Alert tone="success">Hub archived: no jobs run for it, and its webhooks are stored but held until you restore it. Its data is kept; restore it any time.</Alert></div> : null}
      {params.restored ? <div className="mb-4"><Alert tone="success">Hub restored: jobs run again, and the webhooks held while it was archived are being applied.</Alert></div> : null}
      {editing || adding ? (
        <Card title={editing ? `Edit ${editing.name}` : "Add a partner hub"} className="mb-6">
          <HubForm defaults={formDefaults(editing)} />
        </Card>
      ) : null}
      {hubs.length === 0 ? (
        <EmptyState title="No partner hub configured yet">Add your 360dialog partner hub above: partner ID, Partner API key and platform secret come from the Partner Hub, under Integration and API Keys.</EmptyState>
      ) : (
        <div className="space-y-6">
          {hubs.map((hub) => {
            const urls = portalUrlsFor(hub);
            const badge = hubBadge(hub);
            return (
              <Card key={hub.id}>
                <div className="flex flex-wrap items-start justify-between gap-3">
                  <div>
                    <h2 className="text-base font-semibold">
                      {hub.name} <Badge tone={badge.tone}>{badge.label}</Badge>
                    </h2>
                    <p className="text-sm text-slate-600">Partner ID {hub.partnerId}</p>
                  </div>
                  <div className="flex flex-wrap gap-2">
                    {/* A full page load, so the page that opens the popup starts with its own opener policy (R15). */}
                    <a href={`/dashboard/settings/hubs/${hub.id}/try`} className={secondaryButtonClass}>Try the Connect Button</a>
                    <Link href={`/dashboard/settings/onboarding/${hub.id}`} className={secondaryButtonClass} aria-label={`Onboarding settings of ${hub.name}`}>Onboarding settings</Link>
                    <Link href={`/dashboard/settings?edit=${hub.id}`} className={secondaryButtonClass} aria-label={`Edit ${hub.name}`}>Edit</Link>
                    <ArchiveButton hubId={hub.id} hubName={hub.name} archived={Boolean(hub.archivedAt)} />
                  </div>
                </div>
                {hub.archivedAt ? (
                  <div className="mt-3"><Alert tone="info">Archived on {formatMinute(hub.archivedAt)} UTC: 360dialog&apos;s webhooks for it are stored and held, not applied; no reconcile or template sync runs, and no sign-up starts on it. Its data is kept.</Alert></div>
                ) : null}
                {hub.held > 0 ? (
                  <div className="mt-3" data-testid="held-deliveries">
                    <Alert tone="warning">
                      <strong>{hub.held} deliver{hub.held === 1 ? "y" : "ies"} held</strong> while this hub is archived: applied when it is restored.{" "}
                      <Link className="underline" href={`/dashboard/webhooks?hub=${hub.id}&status=held`}>See them in the webhook inbox</Link>
                    </Alert>
                  </div>
                ) : null}
                <HubHealthLine hub={hub} />
                {hub.unverified ? (
                  <div className="mt-3" data-testid="unverified-deliveries">
                    <Alert tone="warning">
                      <strong>{hub.unverified.waiting} unverified deliver{hub.unverified.waiting === 1 ? "y" : "ies"} waiting</strong> (since {hub.unverified.oldestAt ? formatMinute(hub.unverified.oldestAt) : "?"} UTC). {hub.unverified.why}{" "}
                      {hub.unverified.lastError ? <>Last confirmation failed: {hub.unverified.lastError} </> : null}
                      <Link className="underline" href={`/dashboard/webhooks?hub=${hub.id}`}>See them in the webhook inbox</Link>
                    </Alert>
                  </div>
                ) : null}
                <dl className="mt-4 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
                  <Item label="Payment">{hub.paymentMode === "direct" ? "Direct payment (clients pay 360dialog; API keys need their permission)" : "Partner payment (keys by default)"}</Item>
                  <Item label="IO Signature">{hub.ioSignatureEnabled ? `On (${hub.ioSignatureEncoding})` : "Off"}</Item>
                  <Item label="Open signup">{hub.openSignup ? "Anyone may start from the start page" : "Invite links only"}</Item>
                  <Item label="Partner API credentials">{hub.authKind === "api_key" ? "API key stored" : hub.authKind === "token" ? "Legacy login stored" : "Not stored"}</Item>
                  <Item label="Platform secret">{hub.hasPlatformSecret ? `Stored${hub.rotationUntil ? `; previous one accepted until ${hub.rotationUntil.toISOString().slice(0, 10)}` : ""}` : "Not stored: webhooks cannot be verified"}</Item>
                  <Item label="Partner API">{hub.partnerApiBaseUrl}</Item>
                  <Item label="Onboarding (IO)">{hub.ioBaseUrl} ({hub.ioVersion})</Item>
                  <Item label="Messaging API">{hub.messagingBaseUrl}</Item>
                  <Item label="Webhook URL for the hub">{urls.webhookUrl}</Item>
                  <Item label="Redirect URL for the hub">{urls.redirectUrl}</Item>
                  <Item label="Messaging webhook for numbers">{hub.channelWebhookUrl ?? "Not set"}</Item>
                  <Item label="WABA webhook of every number">
                    {wabaWebhookUrlFor(hub)} ({hub.hasWabaWebhookSecret ? "secret stored" : "its secret is made with the first API key"}; sent {wabaWebhookSettingsOf(hub).secretIn === "url" ? "in the URL, where {secret} stands, and as a header" : "as a header only"}; Meta&apos;s events arrive here, and message traffic of numbers without their own webhook is passed on to the messaging webhook)
                    {hub.hasWabaWebhookSecret ? <WabaSecretButton hubId={hub.id} hubName={hub.name} /> : null}
                  </Item>
                </dl>
                <HubChecks hubId={hub.id} hubName={hub.name} />
                <LastRuns hub={hub} />
              </Card>
            );
          })}
        </div>
      )}
      <div className="mt-4">
        <LiveRefresh topics={["job", "webhook", "channel"]} />
      </div>
    </>
  );
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="break-all text-slate-800">{children}</dd>
    </div>
  );
}
