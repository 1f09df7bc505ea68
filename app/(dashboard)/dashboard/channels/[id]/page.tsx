import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Alert, Badge, Card, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { loadChannelDetail } from "@/lib/dashboard/channel";
import { restrictionNextStep, restrictionOf, restrictionSummary } from "@/lib/channels/restriction-words";
import { signalChangeWords } from "@/lib/channels/signal-history";
import { cancellationWords, channelStatusTone, channelStatusWords } from "@/lib/dashboard/words";
import { KeyHandOver } from "./key-hand-over";
import { KeyPanel } from "./key-panel";
import { WabaWebhookCard } from "./waba-webhook-card";
import { formatMinute } from "@/lib/dates";

export const metadata: Metadata = { title: "Channel" };


export default async function ChannelPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageRole("viewer");
  const detail = await loadChannelDetail((await params).id);
  if (!detail) notFound();
  const { channel, key, timeline, stuck } = detail;
  const ended = cancellationWords(channel.cancellation, channel.terminatesAt, formatMinute);
  const restriction = channel.restricted ? restrictionOf(channel.flags) : null;
  return (
    <>
      <PageHeader
        title={channel.phoneNumber ?? channel.externalId}
        description={`Channel ${channel.externalId} on ${detail.hubName}${detail.clientName ? ` · ${detail.clientName}` : ""}`}
        actions={
          <div className="flex flex-wrap gap-2">
            <Link href={`/dashboard/templates?channel=${channel.id}`} className={secondaryButtonClass}>Templates</Link>
            {key.status === "active" && hasRole(user.role, "operator") ? (
              <Link href={`/dashboard/templates/new?channel=${channel.id}`} className={secondaryButtonClass}>Write a template</Link>
            ) : null}
            <Link href="/dashboard/channels" className={secondaryButtonClass}>All channels</Link>
          </div>
        }
      />
      <LiveRefresh topics={["channel", "api_key", "job"]} hubId={channel.hubId} />
      {stuck.map((s) => (
        <div key={s.rule} className="mb-4">
          <Alert tone="warning">
            <strong>{s.explanation}</strong> {s.nextStep}
          </Alert>
        </div>
      ))}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Status">
          <div className="flex flex-wrap gap-2">
            <Badge tone={channelStatusTone(channel.statusRank, channel.restricted)}>{channelStatusWords(channel.status)}</Badge>
            {ended ? <span data-testid="channel-cancellation"><Badge tone={channel.cancellation === "cancelled" ? "slate" : "amber"}>{ended}</Badge></span> : null}
            {channel.restricted ? <Badge tone="red">Restricted</Badge> : null}
          </div>
          {channel.cancellation === "requested" ? (
            <p className="mt-2 text-sm text-amber-800">
              The client asked 360dialog to cancel this number. It keeps sending and receiving until then; a revoke by 360dialog brings it back to normal.
            </p>
          ) : null}
          {channel.cancellation === "cancelled" ? (
            <p className="mt-2 text-sm text-slate-700">
              Cancelled{channel.cancelledAt ? ` on ${formatMinute(channel.cancelledAt)} UTC` : ""}: the number can no longer send, its key was revoked and its templates can no longer be used.
            </p>
          ) : null}
          {channel.restricted ? (
            <div className="mt-2" data-testid="channel-restriction">
              <Alert tone="error">
                <strong>{restriction ? restrictionSummary(restriction) : "360dialog reported this number restricted, without saying why."}</strong>{" "}
                {restriction ? restrictionNextStep(restriction) : "Check the number in the 360dialog hub and in WhatsApp Manager."}
              </Alert>
            </div>
          ) : null}
          <dl className="mt-3 grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
            <dt className="text-slate-500">Since</dt><dd>{formatMinute(channel.statusChangedAt)} UTC</dd>
            <dt className="text-slate-500">Permission</dt><dd>{detail.paymentMode === "partner" ? `${channel.permission} (partner payment)` : channel.permission}</dd>
            <dt className="text-slate-500">Account mode</dt><dd>{channel.accountMode ?? "—"}</dd>
            <dt className="text-slate-500">WABA</dt><dd className="font-mono text-xs">{channel.wabaId ?? "—"}</dd>
            <dt className="text-slate-500">Quality rating</dt><dd data-testid="quality-rating">{channel.qualityRating ?? "—"}</dd>
            <dt className="text-slate-500">Messaging limit</dt><dd data-testid="messaging-limit">{channel.messagingLimit ?? "—"}</dd>
          </dl>
        </Card>
        <Card title="API key">
          <KeyPanel
            channelId={channel.id}
            status={key.status}
            last4={key.last4}
            fingerprint={key.fingerprint}
            revealed={key.revealed}
            isAdmin={user.role === "admin"}
            isOperator={hasRole(user.role, "operator")}
            cancelled={channel.cancellation === "cancelled"}
            terminatesAt={channel.cancellation === "requested" && channel.terminatesAt ? formatMinute(channel.terminatesAt) : null}
            revokedReason={key.revokedReason}
            job={key.job ? { status: key.job.status, attempts: key.job.attempts, maxAttempts: key.job.maxAttempts, lastError: key.job.lastError, runAt: formatMinute(key.job.runAt) } : null}
          />
          <KeyHandOver channelId={channel.id} />
        </Card>
        <WabaWebhookCard
          channelId={channel.id}
          state={channel.wabaWebhookState}
          detail={channel.wabaWebhookDetail}
          at={channel.wabaWebhookAt ? formatMinute(channel.wabaWebhookAt) : null}
          hasKey={key.status === "active"}
          isOperator={hasRole(user.role, "operator")}
        />
        <Card title="History (UTC)" className="lg:col-span-2">
          <ol className="space-y-1 text-sm">
            {timeline.map((e) => (
              <li key={e.id} className="flex flex-wrap gap-x-3" data-testid="history-line">
                <span className="whitespace-nowrap text-slate-500">{formatMinute(e.occurredAt)}</span>
                <span className="font-mono text-xs">{e.event}</span>
                <span className="text-slate-600">{signalChangeWords(e.event, e.data) ?? (e.status ? `→ ${e.status}` : "")} ({e.source})</span>
                {e.replayedAt ? <Badge tone="amber">replayed {formatMinute(e.replayedAt)} by {e.replayedBy ?? "unknown"}</Badge> : null}
              </li>
            ))}
          </ol>
        </Card>
      </div>
    </>
  );
}
