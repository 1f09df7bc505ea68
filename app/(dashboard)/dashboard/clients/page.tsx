import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { ExportLink, FilterBar, FilterInput, FilterSelect, NextPage } from "@/app/_components/filters";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Card, EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { loadClientList, nextPageHref } from "@/lib/dashboard/lists";
import { formatDay } from "@/lib/dates";

export const metadata: Metadata = { title: "Clients" };


export default async function ClientsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole("viewer");
  const { query, page, hubs } = await loadClientList(await searchParams);
  const filtered = Boolean(query.q || query.hub);
  return (
    <>
      <PageHeader title="Clients" description="The partner's business customers on 360dialog, with their numbers, invites and onboarding sessions." />
      <LiveRefresh topics={["client", "channel"]} hubId={query.hub} />
      <FilterBar label="Filter clients" clearHref="/dashboard/clients" active={filtered}>
        <FilterInput id="f-q" label="Name, email or phone" name="q" value={query.q} placeholder="Acme, ana@…, 4915…" />
        <FilterSelect id="f-hub" label="Hub" name="hub" value={query.hub} options={[{ value: "", label: "All hubs" }, ...hubs.map((h) => ({ value: h.id, label: h.name }))]} />
      </FilterBar>
      {page.rows.length === 0 ? (
        <EmptyState title={filtered ? "No client matches" : "No clients yet"}>
          {filtered
            ? "Try the start of the name or email, or at least four digits of a phone number."
            : "Clients appear here when they finish 360dialog onboarding from your start page or an invite link, or when the portal reconciles with your partner hub."}
        </EmptyState>
      ) : (
        <Card>
          <ExportLink list="clients" query={query} />
          <DataTable
            caption="Clients"
            rows={page.rows}
            rowKey={(c) => c.id}
            columns={[
              {
                header: "Client",
                className: "py-2 pr-4",
                cell: (c) => (
                  <>
                    <Link href={`/dashboard/clients/${c.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{c.name || "(no name)"}</Link>
                    <div className="text-xs text-slate-600">{c.email ?? ""}</div>
                  </>
                ),
              },
              { header: "360dialog ID", className: "py-2 pr-4 font-mono text-xs", cell: (c) => c.externalId },
              {
                header: "Numbers",
                className: "py-2 pr-4",
                cell: (c) =>
                  [
                    `${c.runningCount} running of ${c.channelCount}`,
                    c.endingCount ? `${c.endingCount} cancellation requested` : null,
                    c.cancelledCount ? `${c.cancelledCount} cancelled` : null,
                    c.restrictedCount ? `${c.restrictedCount} restricted` : null,
                  ]
                    .filter(Boolean)
                    .join(" · "),
              },
              { header: "Hub", className: "py-2 pr-4 text-slate-600", cell: (c) => c.hubName },
              { header: "Since", className: "py-2 text-slate-600", cell: (c) => formatDay(c.createdAt) },
            ]}
          />
          <NextPage href={nextPageHref(query, page.next)} />
        </Card>
      )}
    </>
  );
}
