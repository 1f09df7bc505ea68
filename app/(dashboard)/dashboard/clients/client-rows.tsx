"use client";

import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";

/**
 * One row of the Clients list as the server wrote it (counts in words, day in UTC): the page's React Server
 * Components payload carries 50 small records instead of 50 trees of elements (docs/nextjs.md §4).
 */
export type ClientRowData = { id: string; name: string; email: string; externalId: string; numbers: string; hub: string; since: string };

export function ClientRows({ rows }: { rows: ClientRowData[] }) {
  return (
    <DataTable
      caption="Clients"
      rows={rows}
      rowKey={(c) => c.id}
      columns={[
        {
          header: "Client",
          className: "py-2 pr-4",
          cell: (c) => (
            <>
              <Link href={`/dashboard/clients/${c.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{c.name}</Link>
              <div className="text-xs text-slate-600">{c.email}</div>
            </>
          ),
        },
        { header: "360dialog ID", className: "py-2 pr-4 font-mono text-xs", cell: (c) => c.externalId },
        { header: "Numbers", className: "py-2 pr-4", cell: (c) => c.numbers },
        { header: "Hub", className: "py-2 pr-4 text-slate-600", cell: (c) => c.hub },
        { header: "Since", className: "py-2 text-slate-600", cell: (c) => c.since },
      ]}
    />
  );
}
