import type { Metadata } from "next";
import Link from "next/link";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Badge, Card, EmptyState, PageHeader } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { loadOverview } from "@/lib/dashboard/overview";
import { channelStatusWords } from "@/lib/dashboard/words";
import { ReconcileButton, StuckAction } from "./stuck-actions";

export const metadata: Metadata = { title: "Overview" };

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function OverviewPage() {
  const user = await requirePageRole("viewer");
  const { stuck, counts, hubs } = await loadOverview();
  const operator = hasRole(user.role, "operator");
  return (
    <>
      <PageHeader title="Overview" description={`Welcome, ${user.name || user.email}. What is moving and what is stuck, in one place.`} />
      <LiveRefresh topics={["channel", "api_key", "job", "webhook"]} />
      <div className="grid gap-6 xl:grid-cols-[1fr_20rem]">
        <Card title={`Needs attention (${stuck.length})`}>
          {stuck.length === 0 ? (
            <p className="text-sm text-slate-600">Nothing is stuck. Numbers that wait too long for a status, a key or a permission show up here with the next step.</p>
          ) : (
            <ul className="divide-y divide-slate-100" aria-label="Stuck numbers">
              {stuck.map((s) => (
                <li key={`${s.channelId}-${s.rule}`} className="flex flex-wrap items-start justify-between gap-3 py-3 text-sm">
                  <div className="min-w-0">
                    <Link href={`/dashboard/channels/${s.channelId}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{s.phoneNumber ?? s.externalId}</Link>
                    {s.clientName ? <span className="text-slate-600"> · {s.clientName}</span> : null}
                    <div className="text-slate-800">{s.explanation}</div>
                    <div className="text-slate-600">Next step: {s.nextStep} <span className="text-slate-400">(since {when.format(s.since)} UTC)</span></div>
                  </div>
                  {operator ? <StuckAction action={s.action} channelId={s.channelId} jobId={s.jobId} /> : null}
                </li>
              ))}
            </ul>
          )}
        </Card>
        <div className="space-y-6">
          <Card title="Channels by status">
            {counts.length === 0 ? (
              <EmptyState title="No channels yet">They appear as clients onboard.</EmptyState>
            ) : (
              <ul className="space-y-1 text-sm">
                {counts.sort((a, b) => b.n - a.n).map((c) => (
                  <li key={c.status} className="flex justify-between">
                    <Link href={`/dashboard/channels?status=${encodeURIComponent(c.status)}`} className="text-brand-700 underline-offset-2 hover:underline">{channelStatusWords(c.status)}</Link>
                    <Badge>{c.n}</Badge>
                  </li>
                ))}
              </ul>
            )}
          </Card>
          {operator && hubs.length > 0 ? (
            <Card title="Reconcile">
              <p className="mb-3 text-sm text-slate-600">Compares each hub&apos;s clients and numbers with the portal&apos;s and heals any difference (it also runs on a schedule).</p>
              <div className="space-y-2">
                {hubs.map((h) => <ReconcileButton key={h.id} hubId={h.id} hubName={h.name} />)}
              </div>
            </Card>
          ) : null}
        </div>
      </div>
    </>
  );
}
