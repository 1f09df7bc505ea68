import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { ExportLink, FilterBar, FilterInput, FilterSelect, NextPage } from "@/app/_components/filters";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Badge, Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { KNOWN_CHANNEL_STATUSES, loadChannelList, nextPageHref } from "@/lib/dashboard/lists";
import { CANCELLATION_FILTERS, MESSAGING_LIMITS, QUALITY_RATINGS, cancellationWords, channelStatusTone, channelStatusWords, keyWords } from "@/lib/dashboard/words";
import { formatMinute } from "@/lib/dates";

export const metadata: Metadata = { title: "Channels" };


export default async function ChannelsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageRole("viewer");
  const { query, page, hubs, counts, ending, stuck, keyFailing } = await loadChannelList(await searchParams);
  const filtered = Boolean(query.status || query.hub || query.q || query.quality || query.limit);
  const total = counts.reduce((n, c) => n + c.n, 0);
  const countOf = (status: string) =>
    status === "other"
      ? counts.filter((c) => !(KNOWN_CHANNEL_STATUSES as readonly string[]).includes(c.status)).reduce((n, c) => n + c.n, 0)
      : (counts.find((c) => c.status === status)?.n ?? 0);
  return (
    <>
      <PageHeader
        title="Channels"
        description="Every WhatsApp number followed from signup to running, with its API key state. Times in UTC."
        actions={hasRole(user.role, "operator") ? <Link href="/dashboard/channels/manual" className={secondaryButtonClass}>Add a number from elsewhere</Link> : null}
      />
      <LiveRefresh topics={["channel", "api_key"]} hubId={query.hub} />
      <FilterBar label="Filter channels" clearHref="/dashboard/channels" active={filtered}>
        <FilterSelect
          id="f-status"
          label="Status"
          name="status"
          value={query.status}
          options={[
            { value: "", label: `Any status (${total})` },
            ...KNOWN_CHANNEL_STATUSES.map((s) => ({ value: s, label: `${channelStatusWords(s)} (${countOf(s)})` })),
            { value: "other", label: `Other (${countOf("other")})` },
            // Counted apart: the status counters (drizzle/0002) count 360dialog's statuses, not the end of life.
            ...CANCELLATION_FILTERS.map((f) => ({ value: f.value, label: `${f.label} (${f.value === "cancelled" ? ending.cancelled : ending.requested})` })),
          ]}
        />
        <FilterSelect
          id="f-quality"
          label="Quality"
          name="quality"
          value={query.quality}
          options={[{ value: "", label: "Any quality" }, ...QUALITY_RATINGS.map((q) => ({ value: q, label: q }))]}
        />
        <FilterSelect
          id="f-limit"
          label="Messaging limit"
          name="limit"
          value={query.limit}
          options={[{ value: "", label: "Any limit" }, ...MESSAGING_LIMITS.map((l) => ({ value: l, label: l }))]}
        />
        <FilterSelect id="f-hub" label="Hub" name="hub" value={query.hub} options={[{ value: "", label: "All hubs" }, ...hubs.map((h) => ({ value: h.id, label: h.name }))]} />
        <FilterInput id="f-q" label="Phone or channel ID" name="q" value={query.q} />
      </FilterBar>
      {page.rows.length === 0 ? (
        <EmptyState title={filtered ? "No channel matches" : "No channels yet"}>
          {filtered ? "Try another status or hub." : "A channel appears when 360dialog reports a number created for one of your clients. Its status then follows the webhooks live."}
        </EmptyState>
      ) : (
        <Card>
          <ExportLink list="channels" query={query} />
          <DataTable
            caption="Channels"
            rows={page.rows}
            rowKey={(ch) => ch.id}
            columns={[
              {
                header: "Number",
                className: "py-2 pr-4",
                cell: (ch) => (
                  <>
                    <Link href={`/dashboard/channels/${ch.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{ch.phoneNumber ?? ch.externalId}</Link>
                    <div className="font-mono text-xs text-slate-500">{ch.externalId}</div>
                  </>
                ),
              },
              {
                header: "Client",
                className: "py-2 pr-4",
                cell: (ch) => (ch.clientId ? <Link className="text-brand-700 underline-offset-2 hover:underline" href={`/dashboard/clients/${ch.clientId}`}>{ch.clientName || "(no name)"}</Link> : "—"),
              },
              {
                header: "Status",
                className: "py-2 pr-4",
                cell: (ch) => (
                  <>
                    <Badge tone={channelStatusTone(ch.statusRank, ch.restricted)}>{channelStatusWords(ch.status)}</Badge>
                    {ch.cancellation ? <> <Badge tone={ch.cancellation === "cancelled" ? "slate" : "amber"}>{cancellationWords(ch.cancellation, ch.terminatesAt, formatMinute)}</Badge></> : null}
                    {ch.restricted ? <Badge tone="red">Restricted</Badge> : null}
                    {stuck.has(ch.id) ? (
                      <span title={stuck.get(ch.id)}>
                        {" "}
                        <Badge tone="amber">Needs attention</Badge>
                      </span>
                    ) : null}
                  </>
                ),
              },
              {
                header: "Permission",
                className: "py-2 pr-4 text-slate-700",
                cell: (ch) => (ch.paymentMode === "partner" && ch.permission === "unknown" ? "granted (partner payment)" : ch.permission),
              },
              {
                header: "Quality / limit",
                className: "py-2 pr-4 text-slate-700",
                cell: (ch) => (ch.qualityRating || ch.messagingLimit ? `${ch.qualityRating ?? "—"} / ${ch.messagingLimit ?? "—"}` : "—"),
              },
              {
                header: "API key",
                className: "py-2 pr-4 text-slate-700",
                cell: (ch) => keyWords(keyFailing.has(ch.id) && ch.keyStatus !== "active" ? "failing" : ch.keyStatus, ch.keyLast4),
              },
              // Where Meta's template verdicts arrive (docs/waba-webhook.md §2); set once the number has its key.
              {
                header: "WABA webhook",
                className: "py-2 pr-4",
                cell: (ch) =>
                  ch.wabaWebhookState === "set" ? <Badge tone="green">Set</Badge> : ch.wabaWebhookState === "failed" ? <Badge tone="red">Failed</Badge> : <span className="text-slate-500">Not yet</span>,
              },
              { header: "Status since", className: "py-2 text-slate-600", cell: (ch) => formatMinute(ch.statusChangedAt) },
            ]}
          />
          <NextPage href={nextPageHref(query, page.next)} />
        </Card>
      )}
    </>
  );
}
