import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { FilterBar, FilterInput, FilterSelect, NextPage } from "@/app/_components/filters";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Badge, Card, EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { loadWebhookInbox, nextPageHref } from "@/lib/dashboard/lists";
import { WEBHOOK_EVENT_NAMES, WEBHOOK_OUTCOMES } from "@/lib/dashboard/words";
import { formatSecond } from "@/lib/dates";

export const metadata: Metadata = { title: "Webhooks" };

const outcomeTone = { pending: "blue", processing: "blue", done: "green", failed: "amber", dead: "red", ignored: "slate", held: "amber" } as const;

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole("viewer");
  const { query, page, hubs } = await loadWebhookInbox(await searchParams);
  const filtered = Boolean(query.event || query.hub || query.channel || query.status);
  return (
    <>
      <PageHeader title="Webhooks" description="Every event 360dialog sent to this portal, stored before it was acknowledged. Times in UTC." />
      <LiveRefresh topics={["webhook"]} hubId={query.hub} />
      <FilterBar label="Filter webhook deliveries" clearHref="/dashboard/webhooks" active={filtered}>
        <FilterSelect id="f-event" label="Event" name="event" value={query.event} options={[{ value: "", label: "Any event" }, ...WEBHOOK_EVENT_NAMES.map((e) => ({ value: e, label: e }))]} />
        <FilterSelect id="f-status" label="Outcome" name="status" value={query.status} options={[{ value: "", label: "Any outcome" }, ...WEBHOOK_OUTCOMES.map((o) => ({ value: o, label: o }))]} />
        <FilterSelect id="f-hub" label="Hub" name="hub" value={query.hub} options={[{ value: "", label: "All hubs" }, ...hubs.map((h) => ({ value: h.id, label: h.name }))]} />
        <FilterInput id="f-channel" label="Channel ID" name="channel" value={query.channel} />
      </FilterBar>
      {page.rows.length === 0 ? (
        <EmptyState title={filtered ? "No delivery matches" : "No webhook deliveries yet"}>
          {filtered ? "Try another event or outcome." : "Deliveries appear here as soon as your partner hub's webhook URL points at this portal (Settings → Register webhook and redirect URLs)."}
        </EmptyState>
      ) : (
        <Card>
          <DataTable
            caption="Webhook deliveries"
            rows={page.rows}
            rowKey={(w) => w.id}
            columns={[
              {
                header: "Received",
                className: "whitespace-nowrap py-2 pr-4",
                cell: (w) => <Link href={`/dashboard/webhooks/${w.id}`} className="text-brand-700 underline-offset-2 hover:underline">{formatSecond(w.receivedAt)}</Link>,
              },
              { header: "Event", className: "py-2 pr-4 font-mono text-xs", cell: (w) => w.event },
              { header: "Channel / client", className: "py-2 pr-4 font-mono text-xs text-slate-600", cell: (w) => w.channelExternalId ?? w.clientExternalId ?? "—" },
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
              { header: "Signature", className: "py-2 pr-4 text-xs text-slate-600", cell: (w) =>
                  w.signatureResult === "unsigned" ? (
                    // Stored without a platform secret: never applied as sent, only confirmed by the Partner API (docs/hub-settings.md §5).
                    <Badge tone="amber">unverified</Badge>
                  ) : w.signatureResult === "valid_previous" ? (
                    "valid (previous secret)"
                  ) : w.signatureResult === "hub_secret" ? (
                    "WABA webhook (hub secret)"
                  ) : (
                    w.signatureResult
                  ) },
              { header: "Attempts · deliveries", className: "py-2 text-slate-600", cell: (w) => `${w.attempts} · ${w.deliveries}` },
            ]}
          />
          <NextPage href={nextPageHref(query, page.next)} />
        </Card>
      )}
    </>
  );
}
