import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CopyButton } from "@/app/_components/copy-button";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Badge, Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { loadClientDetail } from "@/lib/dashboard/lists";
import { cancellationWords, channelStatusTone, channelStatusWords, keyWords } from "@/lib/dashboard/words";
import { formatMinute } from "@/lib/dates";
import { publicBaseUrl } from "@/lib/env";
import { statusPathFor } from "@/lib/onboarding/tokens";

export const metadata: Metadata = { title: "Client" };


export default async function ClientPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageRole("viewer");
  const detail = await loadClientDetail((await params).id);
  if (!detail) notFound();
  const { client, hubName, channels, timeline, sessions } = detail;
  return (
    <>
      <PageHeader
        title={client.name || "(no name)"}
        description={`360dialog client ${client.externalId} on ${hubName}${client.email ? ` · ${client.email}` : ""}`}
        actions={
          <div className="flex flex-wrap gap-2">
            <Link href={`/dashboard/templates?client=${client.id}`} className={secondaryButtonClass}>Templates</Link>
            <Link href="/dashboard/clients" className={secondaryButtonClass}>All clients</Link>
          </div>
        }
      />
      <LiveRefresh topics={["client", "channel", "api_key"]} hubId={client.hubId} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Numbers">
          {channels.length === 0 ? (
            <p className="text-sm text-slate-600">No number yet: one appears when 360dialog reports it created.</p>
          ) : (
            <ul className="divide-y divide-slate-100">
              {channels.map((ch) => (
                <li key={ch.id} className="py-2 text-sm">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium">{ch.phoneNumber ?? ch.externalId}</span>
                    <Badge tone={channelStatusTone(ch.statusRank, ch.restricted)}>{channelStatusWords(ch.status)}</Badge>
                    {ch.cancellation ? <Badge tone={ch.cancellation === "cancelled" ? "slate" : "amber"}>{cancellationWords(ch.cancellation, ch.terminatesAt, formatMinute)}</Badge> : null}
                    {ch.restricted ? <Badge tone="red">Restricted</Badge> : null}
                  </div>
                  <div className="text-xs text-slate-600">
                    Channel {ch.externalId} · permission {ch.permission} · API key: {keyWords(ch.keyStatus, ch.keyLast4)}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Onboarding sessions and invites" className="lg:col-span-2">
          {sessions.length === 0 ? (
            <p className="text-sm text-slate-600">This client was not onboarded through the portal (found by a webhook or reconciliation).</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm">
              {sessions.map((s) => (
                <li key={s.id} className="flex flex-wrap gap-3 py-2">
                  <span className="text-slate-500">{formatMinute(s.createdAt)}</span>
                  <span>{s.method.replace("_", " ")}</span>
                  <Badge tone={s.status === "completed" ? "green" : s.status === "failed" ? "red" : "slate"}>{s.status}</Badge>
                  {s.inviteId ? (
                    <Link className="text-brand-700 underline-offset-2 hover:underline" href={`/dashboard/invites/${s.inviteId}`}>
                      Invite {s.inviteLabel || "(no label)"} ({s.invitePurpose === "permission" ? "permission request" : "new number"})
                    </Link>
                  ) : (
                    <span className="text-slate-500">no invite (start page or staff)</span>
                  )}
                  {s.error ? <span className="text-red-700">{s.error}</span> : null}
                  <StatusPageLink url={`${publicBaseUrl()}${statusPathFor(s.id)}`} />
                </li>
              ))}
            </ul>
          )}
        </Card>
        <Card title="Timeline (UTC)">
          {timeline.length === 0 ? (
            <EmptyState title="No events yet">Events from 360dialog appear here as they arrive.</EmptyState>
          ) : (
            <ol className="space-y-1 text-sm">
              {timeline.map((e) => (
                <li key={e.id} className="flex flex-wrap gap-x-3" data-testid="history-line">
                  <span className="whitespace-nowrap text-slate-500">{formatMinute(e.occurredAt)}</span>
                  <span className="font-mono text-xs">{e.event}</span>
                  <span className="text-slate-600">{e.phoneNumber ?? ""} {e.status ? `→ ${e.status}` : ""} ({e.source})</span>
                  {e.replayedAt ? <Badge tone="amber">replayed {formatMinute(e.replayedAt)} by {e.replayedBy ?? "unknown"}</Badge> : null}
                </li>
              ))}
            </ol>
          )}
        </Card>
      </div>
    </>
  );
}

/** The client's own status page of a session (the link the redirect hands them), to send again when asked. */
function StatusPageLink({ url }: { url: string }) {
  return (
    <span className="flex w-full flex-wrap items-center gap-2" data-testid="status-page-link">
      <span className="text-slate-600">Client status page:</span>
      <a href={url} target="_blank" rel="noopener noreferrer" className="min-w-0 break-all font-mono text-xs text-brand-700 underline-offset-2 hover:underline">
        {url}
      </a>
      <CopyButton value={url} label="Copy status link" />
    </span>
  );
}
