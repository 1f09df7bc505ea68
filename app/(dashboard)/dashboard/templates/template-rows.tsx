"use client";

import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { Badge } from "@/app/_components/ui";

/**
 * One row of the Templates list as the server wrote it (words, tones and dates decided there, lib/templates/status.ts,
 * UTC): the page's React Server Components payload carries 50 small records instead of 50 trees of elements
 * (docs/nextjs.md §4).
 */
export type TemplateRowData = {
  id: string;
  name: string;
  language: string;
  channelId: string;
  number: string;
  numberCancelled: boolean;
  /** The client's name, or null when the number has no client. */
  client: string | null;
  category: string;
  /** "Changed by Meta (was MARKETING)", or null. */
  categoryChange: string | null;
  status: { words: string; tone: "slate" | "green" | "amber" | "red" | "blue" };
  rejection: string | null;
  changed: string;
};

export function TemplateRows({ rows }: { rows: TemplateRowData[] }) {
  return (
    <DataTable
      caption="Templates"
      scroll
      rows={rows}
      rowKey={(t) => t.id}
      columns={[
        {
          header: "Template",
          className: "py-2 pr-4",
          cell: (t) => (
            <>
              <Link href={`/dashboard/templates/${t.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{t.name}</Link>
              <span className="ml-2 font-mono text-xs text-slate-500">{t.language}</span>
            </>
          ),
        },
        {
          header: "Number · client",
          className: "py-2 pr-4",
          cell: (t) => (
            <>
              <Link href={`/dashboard/channels/${t.channelId}`} className="text-brand-700 underline-offset-2 hover:underline">{t.number}</Link>
              {t.numberCancelled ? <div className="text-xs font-medium text-slate-700">Number cancelled: cannot be sent</div> : null}
              {t.client !== null ? <div className="text-xs text-slate-600">{t.client}</div> : null}
            </>
          ),
        },
        {
          header: "Category",
          className: "py-2 pr-4",
          cell: (t) => (
            <>
              {t.category}
              {t.categoryChange ? <div><Badge tone="amber">{t.categoryChange}</Badge></div> : null}
            </>
          ),
        },
        {
          header: "Status",
          className: "py-2 pr-4",
          cell: (t) => (
            <>
              <Badge tone={t.status.tone}>{t.status.words}</Badge>
              {t.rejection ? <div className="max-w-xs text-xs text-slate-600">{t.rejection}</div> : null}
            </>
          ),
        },
        { header: "Changed", className: "py-2 text-slate-600", cell: (t) => t.changed },
      ]}
    />
  );
}
