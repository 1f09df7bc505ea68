import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Badge, Card, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { loadWebhookEvent } from "@/lib/dashboard/lists";
import { redactWebhookBody } from "@/lib/webhooks/redact";
import { ReplayButton } from "./replay-button";
import { formatSecond } from "@/lib/dates";

export const metadata: Metadata = { title: "Webhook delivery" };


export default async function WebhookEventPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageRole("viewer");
  const found = await loadWebhookEvent((await params).id);
  if (!found) notFound();
  const { event: w, hubName } = found;
  return (
    <>
      <PageHeader
        title={`${w.event} · ${formatSecond(w.receivedAt)} UTC`}
        description={`Hub ${hubName}. Stored before it was acknowledged; secrets and phone numbers are masked below.`}
        actions={<Link href="/dashboard/webhooks" className={secondaryButtonClass}>All deliveries</Link>}
      />
      <LiveRefresh topics={["webhook"]} hubId={w.hubId} />
      <div className="grid gap-6 lg:grid-cols-[20rem_1fr]">
        <Card title="Processing">
          <dl className="space-y-2 text-sm">
            <div><dt className="text-xs text-slate-500">Outcome</dt><dd><Badge>{w.status}</Badge></dd></div>
            <div><dt className="text-xs text-slate-500">Signature</dt><dd>{w.signatureResult === "unsigned" ? "unverified: no platform secret was saved when it arrived, so its content is not believed; the Partner API is asked instead" : w.signatureResult === "valid_previous" ? "valid, with the previous platform secret" : w.signatureResult === "hub_secret" ? "Meta's WABA webhook through 360dialog: the hub's secret header matched (no signature is sent)" : w.signatureResult}</dd></div>
            {w.confirmation ? <div><dt className="text-xs text-slate-500">Partner API confirmation</dt><dd data-testid="webhook-confirmation">{w.confirmation}{w.confirmedAt ? ` (${formatSecond(w.confirmedAt)} UTC)` : ""}</dd></div> : null}
            <div><dt className="text-xs text-slate-500">Attempts</dt><dd>{w.attempts}</dd></div>
            <div><dt className="text-xs text-slate-500">Deliveries of this body</dt><dd>{w.deliveries}</dd></div>
            <div><dt className="text-xs text-slate-500">Processed</dt><dd>{w.processedAt ? formatSecond(w.processedAt) : "not yet"}</dd></div>
            {w.replayedAt ? <div><dt className="text-xs text-slate-500">Last replayed</dt><dd data-testid="webhook-replayed">{formatSecond(w.replayedAt)} UTC by {w.replayedBy ?? "unknown"}</dd></div> : null}
            <div><dt className="text-xs text-slate-500">Dedup key</dt><dd className="break-all font-mono text-xs">{w.dedupKey}</dd></div>
            {/* An ignored delivery's reason is no error (e.g. older than the template's status, docs/waba-webhook.md §3). */}
            {w.lastError ? (
              w.status === "ignored" ? (
                <div><dt className="text-xs text-slate-500">Why it changed nothing</dt><dd data-testid="webhook-ignored-why">{w.lastError}</dd></div>
              ) : (
                <div><dt className="text-xs text-slate-500">Last error</dt><dd className="text-red-700">{w.lastError}</dd></div>
              )
            ) : null}
          </dl>
          {hasRole(user.role, "operator") ? <div className="mt-4"><ReplayButton id={w.id} /></div> : null}
        </Card>
        <Card title="Payload (redacted)">
          <pre className="max-h-[32rem] overflow-auto rounded bg-slate-50 p-3 text-xs">{redactWebhookBody(w.rawBody)}</pre>
          <h3 className="mt-4 text-sm font-semibold">Headers (secrets removed on receipt)</h3>
          <pre className="mt-1 overflow-auto rounded bg-slate-50 p-3 text-xs">{JSON.stringify(w.headers, null, 2)}</pre>
        </Card>
      </div>
    </>
  );
}
