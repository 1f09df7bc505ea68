import Link from "next/link";
import type { ReactNode } from "react";
import { Badge, Card } from "@/app/_components/ui";
import type { TemplateCardRow, WebhookFailureRow } from "@/lib/dashboard/overview";
import { durationWords } from "@/lib/dashboard/funnel";
import { rejectionWords, templateStatusWords } from "@/lib/templates/status";
import { formatMinute } from "@/lib/dates";

const link = "font-medium text-brand-700 underline-offset-2 hover:underline";
const ago = (now: Date, since: Date) => durationWords((now.getTime() - since.getTime()) / 1000);

export function WebhookFailuresCard({ rows, hubId }: { rows: WebhookFailureRow[]; hubId: string | null }) {
  const hub = hubId ? `&hub=${hubId}` : "";
  return (
    <Card title="Recent webhook failures">
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">No delivery from 360dialog has failed. Failed ones are retried; after the last attempt they stop as dead and can be replayed.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" aria-label="Recent webhook failures">
          {rows.map((w) => (
            <li key={w.id} className="py-2">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <Link href={`/dashboard/webhooks/${w.id}`} className={link}>{w.event}</Link>
                <Badge tone={w.status === "dead" ? "red" : "amber"}>{w.status}</Badge>
              </div>
              <div className="text-xs text-slate-500">{formatMinute(w.receivedAt)} UTC · {w.attempts} attempt{w.attempts === 1 ? "" : "s"}</div>
              {w.lastError ? <div className="mt-0.5 break-words text-slate-700">{w.lastError}</div> : null}
            </li>
          ))}
        </ul>
      )}
      <p className="mt-3 text-sm">
        <Link href={`/dashboard/webhooks?status=dead${hub}`} className={link}>All dead</Link>
        {" · "}
        <Link href={`/dashboard/webhooks?status=failed${hub}`} className={link}>All failed</Link>
      </p>
    </Card>
  );
}

function TemplateLine({ t, children }: { t: TemplateCardRow; children: ReactNode }) {
  return (
    <li className="py-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Link href={`/dashboard/templates/${t.id}`} className={`${link} break-all`}>{t.name}</Link>
        <span className="text-xs text-slate-500">{t.language}</span>
      </div>
      <div className="text-xs text-slate-500">{t.phoneNumber ?? t.channelExternalId}</div>
      {children}
    </li>
  );
}

export function AwaitingReviewCard({ rows, now }: { rows: TemplateCardRow[]; now: Date }) {
  return (
    <Card title="Templates awaiting review">
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">No template is waiting for Meta. Submitted templates show here, longest waiting first.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" aria-label="Templates awaiting review">
          {rows.map((t) => (
            <TemplateLine key={t.id} t={t}>
              <div className="text-slate-700">{templateStatusWords(t.status.toLowerCase())} · waiting {ago(now, t.since)}</div>
            </TemplateLine>
          ))}
        </ul>
      )}
      <p className="mt-3 text-sm"><Link href="/dashboard/templates" className={link}>All templates</Link></p>
    </Card>
  );
}

export function RejectedCard({ rows, now }: { rows: TemplateCardRow[]; now: Date }) {
  return (
    <Card title="Recently rejected">
      {rows.length === 0 ? (
        <p className="text-sm text-slate-600">Meta rejected no template in the last 7 days.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" aria-label="Recently rejected templates">
          {rows.map((t) => (
            <TemplateLine key={t.id} t={t}>
              <div className="break-words text-slate-700">{rejectionWords(t.rejectedReason) ?? "No reason given."}</div>
              <div className="text-xs text-slate-500">{ago(now, t.since)} ago</div>
            </TemplateLine>
          ))}
        </ul>
      )}
      <p className="mt-3 text-sm"><Link href="/dashboard/templates?status=rejected" className={link}>All rejected</Link></p>
    </Card>
  );
}
