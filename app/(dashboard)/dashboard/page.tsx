import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
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
import { stuckRowData } from "@/lib/dashboard/attention";
import { ReconcileButton, StuckRows } from "./stuck-actions";
import { formatMinute } from "@/lib/dates";

const RUN_STATE = { queued: "queued", running: "running", done: "finished", failed: "failed" } as const;

export const metadata: Metadata = { title: "Overview" };


export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageRole("viewer");
  const params = await searchParams;
  // The Overview paged "Needs attention" itself before it had a page of its own: such a link goes on there.
  if (typeof params.stuck === "string") {
    const kept = Object.entries(params).filter((e): e is [string, string] => typeof e[1] === "string" && (e[0] === "stuck" || e[0] === "hub"));
    redirect(`/dashboard/attention?${new URLSearchParams(kept)}`);
  }
  const [o, checklist] = await Promise.all([loadOverview(params), loadGettingStarted()]);
  const attentionHref = `/dashboard/attention${o.hub ? `?hub=${o.hub.id}` : ""}`;
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
          {o.stuck.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing is stuck. Numbers that wait too long for a status, a key or a permission show up here with the next step.</p>
          ) : (
            <>
              <StuckRows operator={operator} rows={o.stuck.map(stuckRowData)} />
              <div className="mt-3 flex flex-wrap items-center gap-3 text-sm" data-testid="stuck-more">
                <span className="text-slate-600">{o.stuckTotal > o.stuck.length ? `The ${o.stuck.length} oldest of ${o.stuckTotal}.` : "All of them, oldest first."}</span>
                <Link href={attentionHref} className={secondaryButtonClass}>{o.stuckTotal > o.stuck.length ? `See all ${o.stuckTotal}` : "Open the list"}, by reason</Link>
              </div>
            </>
          )}
        </Card>
      </div>
    </>
  );
}
