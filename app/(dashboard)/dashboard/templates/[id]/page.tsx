import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Alert, Badge, buttonClass, Card, PageHeader } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { loadTemplateDetail } from "@/lib/dashboard/templates";
import { rejectionWords, templateStatusTone, templateStatusWords } from "@/lib/templates/status";
import { TemplatePreview } from "../_editor/template-preview";
import { SyncTemplatesButton } from "../sync-button";
import { formatMinute, formatSecond } from "@/lib/dates";

export const metadata: Metadata = { title: "Template" };

// "event": Meta told the portal (its WABA webhook, or a partner event); "sync": the scheduled or manual read of
// 360dialog's list, the safety net when an event was lost (docs/waba-webhook.md §3).
const SOURCE_WORDS: Record<string, string> = { submit: "Submitted from the portal", sync: "Sync (read from 360dialog)", webhook: "Event from Meta", user: "Saved by staff" };

export default async function TemplatePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageRole("viewer");
  const { id } = await params;
  const detail = await loadTemplateDetail(id);
  if (!detail) notFound();
  const { template: t, events, draft } = detail;
  const operator = hasRole(user.role, "operator");
  // Newest first: the latest status change says where the current status came from.
  const statusSource = events.find((e) => e.status !== null)?.source;
  return (
    <>
      <PageHeader
        title={t.name}
        description={`${t.language} · ${t.category} · ${detail.hubName}`}
        actions={
          operator ? (
            <SyncTemplatesButton channelId={t.channelId} label="Sync now">
              {detail.editable ? (
                <Link className={buttonClass} href={`/dashboard/templates/${t.id}/edit`}>{t.status === "rejected" || t.status === "paused" ? "Edit and resubmit" : "Edit"}</Link>
              ) : null}
            </SyncTemplatesButton>
          ) : null
        }
      />
      <LiveRefresh topics={["template"]} hubId={t.hubId} />
      <div className="space-y-4">
        {detail.replacedBy ? (
          <Alert tone="info">
            Resubmitted under a new name as{" "}
            <Link className="underline" href={`/dashboard/templates/${detail.replacedBy.id}`}>{detail.replacedBy.name}</Link> ({templateStatusWords(detail.replacedBy.status).toLowerCase()}). Meta keeps
            this version under its old name; it is no longer listed, and its history continues below.
          </Alert>
        ) : null}
        {detail.replaces ? (
          <Alert tone="info">
            This template replaces <Link className="underline" href={`/dashboard/templates/${detail.replaces.id}`}>{detail.replaces.name}</Link> ({detail.replaces.language}), which Meta rejected; their history is shown together.
          </Alert>
        ) : null}
        {t.status === "rejected" && !detail.replacedBy ? (
          <Alert tone="error">
            Meta rejected this template{t.rejectedReason ? <>: {rejectionWords(t.rejectedReason)}</> : "."} {operator ? "Edit it and resubmit; the reason stays beside the form." : null}
          </Alert>
        ) : null}
        {detail.readOnlyParts.length > 0 ? (
          <Alert tone="info">
            Parts of this template the portal&apos;s editor cannot change ({detail.readOnlyParts.join(", ")}) are shown read-only and sent back unchanged when the rest is
            edited; change them where they were made.
          </Alert>
        ) : null}
        {t.status === "submit_unknown" ? <Alert tone="info">360dialog did not answer the submission in time. The portal is checking whether it arrived; this page updates by itself.</Alert> : null}
        {t.categoryChanged ? (
          <Alert tone="warning">Meta changed the category{t.requestedCategory ? ` from ${t.requestedCategory}` : ""} to {t.category}. Pricing and rules of {t.category} apply to it now.</Alert>
        ) : null}
        <div className="grid gap-4 lg:grid-cols-[1fr_22rem]">
          <Card title="Status">
            <dl className="grid grid-cols-[10rem_1fr] gap-y-2 text-sm">
              <dt className="text-slate-500">Status</dt>
              <dd><Badge tone={templateStatusTone(t.status)}>{templateStatusWords(t.status)}</Badge></dd>
              <dt className="text-slate-500">Status from</dt>
              <dd data-testid="status-source">{statusSource ? (SOURCE_WORDS[statusSource] ?? statusSource) : "—"}</dd>
              {t.qualityScore ? (
                <>
                  <dt className="text-slate-500">Quality (Meta)</dt>
                  <dd>{t.qualityScore}</dd>
                </>
              ) : null}
              <dt className="text-slate-500">Number</dt>
              <dd><Link className="text-brand-700 underline" href={`/dashboard/channels/${t.channelId}`}>{detail.phoneNumber ?? detail.channelExternalId}</Link>{detail.channelCancellation === "cancelled" ? " · cancelled: this template can no longer be sent" : null}</dd>
              <dt className="text-slate-500">Client</dt>
              <dd>{detail.clientId ? <Link className="text-brand-700 underline" href={`/dashboard/clients/${detail.clientId}`}>{detail.clientName || "(no name)"}</Link> : "—"}</dd>
              <dt className="text-slate-500">Category</dt>
              <dd>{t.category}{t.requestedCategory && t.requestedCategory !== t.category ? ` (asked for ${t.requestedCategory})` : ""}{t.allowCategoryChange ? " · Meta may change it" : ""}</dd>
              <dt className="text-slate-500">Submitted</dt>
              <dd>{t.submittedAt ? `${formatSecond(t.submittedAt)} UTC` : "not yet"}</dd>
              <dt className="text-slate-500">Last read from 360dialog</dt>
              <dd>{t.lastSyncedAt ? `${formatSecond(t.lastSyncedAt)} UTC` : "never"}</dd>
              <dt className="text-slate-500">Meta template ID</dt>
              <dd className="font-mono text-xs">{t.externalId ?? "—"}</dd>
            </dl>
          </Card>
          <Card>
            <TemplatePreview draft={draft} />
          </Card>
        </div>
        <Card title={`History (${events.length})`}>
          {events.length === 0 ? (
            <p className="text-sm text-slate-600">No changes recorded yet.</p>
          ) : (
            <ol className="divide-y divide-slate-100 text-sm" aria-label="Template history">
              {events.map((e) => (
                <li key={e.id} className="flex flex-wrap gap-x-4 gap-y-1 py-2" data-testid="template-history-line">
                  <span className="w-48 shrink-0 text-slate-500">{formatSecond(e.at)} UTC</span>
                  <span className="min-w-0 flex-1">
                    {e.status ? <Badge tone={templateStatusTone(e.status)}>{templateStatusWords(e.status)}</Badge> : null}
                    {e.category ? <span className="ml-2">Category: <strong>{e.category}</strong></span> : null}
                    {e.reason ? <span className="ml-2 text-slate-700">{rejectionWords(e.reason)}</span> : null}
                    {/* Written by an operator's replay of the delivery, not by Meta again (docs/exports.md §6). */}
                    {e.replayedAt ? <span className="ml-2"><Badge tone="amber">replayed {formatMinute(e.replayedAt)} by {e.replayedBy ?? "unknown"}</Badge></span> : null}
                  </span>
                  <span className="text-xs text-slate-500">
                    {detail.lineage.length > 0 ? <span className="mr-2 font-mono">{e.of}</span> : null}
                    {SOURCE_WORDS[e.source] ?? e.source}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </Card>
        <details className="rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-sm">
          <summary className="cursor-pointer font-medium">Components as sent to 360dialog</summary>
          <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-3 text-xs">{JSON.stringify(t.components, null, 2)}</pre>
        </details>
      </div>
    </>
  );
}
