import type { Metadata } from "next";
import Link from "next/link";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Alert, Badge, Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { loadGettingStarted } from "@/lib/dashboard/getting-started";
import { loadOverview } from "@/lib/dashboard/overview";
import { channelStatusWords } from "@/lib/dashboard/words";
import { AwaitingReviewCard, RejectedCard, WebhookFailuresCard } from "./_overview/cards";
import { FunnelChart } from "./_overview/funnel-chart";
import { GettingStartedCard } from "./_overview/getting-started";
import { PeriodPicker } from "./_overview/period-picker";
import type { StuckChannel } from "@/lib/channels/stuck";
import { ReconcileButton, ReplayJobForm, ResolveRestrictionForm, RetryKeyForm } from "./stuck-actions";
import { formatMinute } from "@/lib/dates";

const RUN_STATE = { queued: "queued", running: "running", done: "finished", failed: "failed" } as const;

export const metadata: Metadata = { title: "Overview" };


export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageRole("viewer");
  const params = await searchParams;
  const [o, checklist] = await Promise.all([loadOverview(params), loadGettingStarted()]);
  // The next page keeps the period and hub of this one.
  const stuckHref = (cursor: string | null) => {
    const kept = Object.entries(params).filter((e): e is [string, string] => typeof e[1] === "string" && e[0] !== "stuck");
    return `?${new URLSearchParams(cursor ? [...kept, ["stuck", cursor]] : kept)}#needs-attention`;
  };
  const operator = hasRole(user.role, "operator");
  const scope = o.hub ? ` · ${o.hub.name}` : o.hubs.length > 1 ? " · all hubs" : "";
  return (
    <>
      <PageHeader title="Overview" description={`Welcome, ${user.name || user.email}. What is moving and what is stuck, in one place.`} />
      <LiveRefresh topics={["channel", "api_key", "job", "webhook", "session", "template", "invite"]} hubId={o.hub?.id} />
      {o.notes.length > 0 ? (
        <div className="mt-3">
          <Alert tone="warning">{o.notes.join(" ")}</Alert>
        </div>
      ) : null}
      {checklist.complete ? null : (
        <div className="mt-4">
          <GettingStartedCard checklist={checklist} />
        </div>
      )}
      <div className="mt-4 grid gap-6 xl:grid-cols-[1fr_20rem]">
        <Card title={`Onboarding funnel: ${o.period.label}${scope}`}>
          <div className="mb-4">
            <PeriodPicker period={o.period} rejected={o.rejectedCustom} hubId={o.hub?.id ?? null} hubs={o.hubs} />
          </div>
          <FunnelChart funnel={o.funnel} periodLabel={o.period.label} />
        </Card>
        <div className="space-y-6">
          <Card title="Channels by status">
            {o.counts.length === 0 ? (
              <EmptyState title="No channels yet">They appear as clients onboard.</EmptyState>
            ) : (
              <ul className="space-y-1 text-sm">
                {[...o.counts].sort((a, b) => b.n - a.n).map((c) => (
                  <li key={c.status} className="flex justify-between">
                    <Link href={`/dashboard/channels?status=${encodeURIComponent(c.status)}${o.hub ? `&hub=${o.hub.id}` : ""}`} className="text-brand-700 underline-offset-2 hover:underline">{channelStatusWords(c.status)}</Link>
                    <Badge>{c.n}</Badge>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          {operator && o.hubs.length > 0 ? (
            <Card title="Reconcile">
              <p className="mb-3 text-sm text-slate-600">Compares each hub&apos;s clients and numbers with the portal&apos;s and heals any difference (it also runs on a schedule).</p>
              <div className="space-y-2">
                {(o.hub ? [o.hub] : o.hubs)
                  .filter((h) => !h.archived)
                  .map((h) => (
                    <div key={h.id}>
                      <ReconcileButton hubId={h.id} hubName={h.name} />
                      {h.lastReconcile ? (
                        <p className="mt-1 text-xs text-slate-600" data-testid="overview-last-reconcile">
                          Last run ({formatMinute(new Date(h.lastReconcile.at))} UTC, {RUN_STATE[h.lastReconcile.state]}): {h.lastReconcile.summary}
                        </p>
                      ) : null}
                    </div>
                  ))}
              </div>
            </Card>
          ) : null}
        </div>
      </div>
      <div className="mt-6 grid gap-6 lg:grid-cols-3">
        <WebhookFailuresCard rows={o.webhookFailures} hubId={o.hub?.id ?? null} />
        <AwaitingReviewCard rows={o.awaitingReview} now={o.now} />
        <RejectedCard rows={o.rejected} now={o.now} />
      </div>
      <div className="mt-6">
        <Card title={`Needs attention (${o.stuckTotal})`}>
          <span id="needs-attention" />
          {o.stuck.length === 0 && !o.stuckPaged ? (
            <p className="text-sm text-slate-600">Nothing is stuck. Numbers that wait too long for a status, a key or a permission show up here with the next step.</p>
          ) : (
            <ul className="divide-y divide-slate-100" aria-label="Stuck numbers">
              {o.stuck.map((s) => (
                <li key={`${s.channelId}-${s.rule}`} className="flex flex-wrap items-start justify-between gap-3 py-3 text-sm">
                  <div className="min-w-0">
                    <Link href={`/dashboard/channels/${s.channelId}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{s.phoneNumber ?? s.externalId}</Link>
                    {s.clientName ? <span className="text-slate-600"> · {s.clientName}</span> : null}
                    <div className="text-slate-800">{s.explanation}</div>
                    <div className="text-slate-600">Next step: {s.nextStep} <span className="text-slate-400">(since {formatMinute(s.since)} UTC)</span></div>
                  </div>
                  {operator ? <StuckRowAction row={s} /> : null}
                </li>
              ))}
            </ul>
          )}
          {o.stuckNext || o.stuckPaged ? (
            <div className="mt-3 flex flex-wrap items-center gap-3 text-sm" data-testid="stuck-paging">
              <span className="text-slate-600">{o.stuck.length} shown of {o.stuckTotal}, oldest first.</span>
              {o.stuckPaged ? <Link href={stuckHref(null)} className={secondaryButtonClass}>First page</Link> : null}
              {o.stuckNext ? <Link href={stuckHref(o.stuckNext)} className={secondaryButtonClass}>Next page</Link> : null}
            </div>
          ) : null}
        </Card>
      </div>
    </>
  );
}

/** The one thing a stuck row offers, as its own small form (stuck-actions.tsx). */
function StuckRowAction({ row }: { row: StuckChannel }) {
  switch (row.action) {
    case "retry_key":
      return <RetryKeyForm channelId={row.channelId} />;
    case "replay_job":
      return row.jobId ? <ReplayJobForm channelId={row.channelId} jobId={row.jobId} /> : null;
    case "resolve_restriction":
      return <ResolveRestrictionForm channelId={row.channelId} />;
    case "resend_permission_invite":
      return <Link className={secondaryButtonClass} href="/dashboard/invites">Send a permission invite</Link>;
    default:
      return null;
  }
}
