"use client";

import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { Badge } from "@/app/_components/ui";

/**
 * One row of the Channels list as the server wrote it: every word, tone and date already decided there
 * (lib/dashboard/words.ts, UTC), so the page's React Server Components payload carries 50 small records instead of
 * 50 trees of elements (docs/nextjs.md §4). The markup is the list's DataTable, rendered on the server as before.
 */
export type ChannelRowData = {
  id: string;
  label: string;
  externalId: string;
  clientId: string | null;
  clientName: string;
  status: { words: string; tone: "slate" | "green" | "amber" | "red" | "blue" };
  cancellation: { words: string; tone: "slate" | "amber" } | null;
  restricted: boolean;
  /** Why the number is in "Needs attention", or null. */
  stuck: string | null;
  permission: string;
  qualityAndLimit: string;
  key: string;
  wabaWebhook: "set" | "failed" | "not_yet";
  statusSince: string;
};

export function ChannelRows({ rows }: { rows: ChannelRowData[] }) {
  return (
    <DataTable
      caption="Channels"
      rows={rows}
      rowKey={(ch) => ch.id}
      columns={[
        {
          header: "Number",
          className: "py-2 pr-4",
          cell: (ch) => (
            <>
              <Link href={`/dashboard/channels/${ch.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{ch.label}</Link>
              <div className="font-mono text-xs text-slate-500">{ch.externalId}</div>
            </>
          ),
        },
        {
          header: "Client",
          className: "py-2 pr-4",
          cell: (ch) => (ch.clientId ? <Link className="text-brand-700 underline-offset-2 hover:underline" href={`/dashboard/clients/${ch.clientId}`}>{ch.clientName}</Link> : "—"),
        },
        {
          header: "Status",
          className: "py-2 pr-4",
          cell: (ch) => (
            <>
              <Badge tone={ch.status.tone}>{ch.status.words}</Badge>
              {ch.cancellation ? <> <Badge tone={ch.cancellation.tone}>{ch.cancellation.words}</Badge></> : null}
              {ch.restricted ? <Badge tone="red">Restricted</Badge> : null}
              {ch.stuck ? (
                <span title={ch.stuck}>
                  {" "}
                  <Badge tone="amber">Needs attention</Badge>
                </span>
              ) : null}
            </>
          ),
        },
        { header: "Permission", className: "py-2 pr-4 text-slate-700", cell: (ch) => ch.permission },
        { header: "Quality / limit", className: "py-2 pr-4 text-slate-700", cell: (ch) => ch.qualityAndLimit },
        { header: "API key", className: "py-2 pr-4 text-slate-700", cell: (ch) => ch.key },
        // Where Meta's template verdicts arrive (docs/waba-webhook.md §2); set once the number has its key.
        {
          header: "WABA webhook",
          className: "py-2 pr-4",
          cell: (ch) =>
            ch.wabaWebhook === "set" ? <Badge tone="green">Set</Badge> : ch.wabaWebhook === "failed" ? <Badge tone="red">Failed</Badge> : <span className="text-slate-500">Not yet</span>,
        },
        { header: "Status since", className: "py-2 text-slate-600", cell: (ch) => ch.statusSince },
      ]}
    />
  );
}
