"use client";

import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { Badge } from "@/app/_components/ui";

/**
 * One row of the webhook inbox as the server wrote it (date formatted in UTC there): the page's React Server
 * Components payload carries 50 small records instead of 50 trees of elements (docs/nextjs.md §4).
 */
export type WebhookRowData = {
  id: string;
  receivedAt: string;
  event: string;
  subject: string;
  status: "pending" | "processing" | "done" | "failed" | "dead" | "ignored" | "held";
  lastError: string | null;
  signature: { words: string; unverified: boolean };
  attempts: string;
};

const outcomeTone = { pending: "blue", processing: "blue", done: "green", failed: "amber", dead: "red", ignored: "slate", held: "amber" } as const;

export function WebhookRows({ rows }: { rows: WebhookRowData[] }) {
  return (
    <DataTable
      caption="Webhook deliveries"
      rows={rows}
      rowKey={(w) => w.id}
      columns={[
        {
          header: "Received",
          className: "whitespace-nowrap py-2 pr-4",
          cell: (w) => <Link href={`/dashboard/webhooks/${w.id}`} className="text-brand-700 underline-offset-2 hover:underline">{w.receivedAt}</Link>,
        },
        { header: "Event", className: "py-2 pr-4 font-mono text-xs", cell: (w) => w.event },
        { header: "Channel / client", className: "py-2 pr-4 font-mono text-xs text-slate-600", cell: (w) => w.subject },
        {
          header: "Outcome",
          className: "py-2 pr-4",
          cell: (w) => (
            <>
              <Badge tone={outcomeTone[w.status]}>{w.status}</Badge>
              {w.lastError ? <div className="mt-1 max-w-xs truncate text-xs text-red-700" title={w.lastError}>{w.lastError}</div> : null}
            </>
          ),
        },
        {
          header: "Signature",
          className: "py-2 pr-4 text-xs text-slate-600",
          // Stored without a platform secret: never applied as sent, only confirmed by the Partner API (docs/hub-settings.md §5).
          cell: (w) => (w.signature.unverified ? <Badge tone="amber">{w.signature.words}</Badge> : w.signature.words),
        },
        { header: "Attempts · deliveries", className: "py-2 text-slate-600", cell: (w) => w.attempts },
      ]}
    />
  );
}
