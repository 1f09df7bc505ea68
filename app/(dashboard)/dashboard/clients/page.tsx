import type { Metadata } from "next";
import { ExportLink, FilterBar, FilterInput, FilterSelect, NextPage } from "@/app/_components/filters";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Card, EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { loadClientList, nextPageHref } from "@/lib/dashboard/lists";
import { formatDay } from "@/lib/dates";
import { ClientRows } from "./client-rows";

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
          <ClientRows
            rows={page.rows.map((c) => ({
              id: c.id,
              name: c.name || "(no name)",
              email: c.email ?? "",
              externalId: c.externalId,
              numbers: [
                `${c.runningCount} running of ${c.channelCount}`,
                c.endingCount ? `${c.endingCount} cancellation requested` : null,
                c.cancelledCount ? `${c.cancelledCount} cancelled` : null,
                c.restrictedCount ? `${c.restrictedCount} restricted` : null,
              ]
                .filter(Boolean)
                .join(" · "),
              hub: c.hubName,
              since: formatDay(c.createdAt),
            }))}
          />
          <NextPage href={nextPageHref(query, page.next)} />
        </Card>
      )}
    </>
  );
}
