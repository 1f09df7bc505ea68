import type { Metadata } from "next";
import Link from "next/link";
import { ExportLink, FilterBar, FilterInput, FilterSelect, NextPage } from "@/app/_components/filters";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { ChannelRows } from "./channel-rows";
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
          <ChannelRows
            rows={page.rows.map((ch) => {
              const cancellation = cancellationWords(ch.cancellation, ch.terminatesAt, formatMinute);
              return {
                id: ch.id,
                label: ch.phoneNumber ?? ch.externalId,
                externalId: ch.externalId,
                clientId: ch.clientId,
                clientName: ch.clientName || "(no name)",
                status: { words: channelStatusWords(ch.status), tone: channelStatusTone(ch.statusRank, ch.restricted) },
                cancellation: cancellation ? { words: cancellation, tone: ch.cancellation === "cancelled" ? "slate" : "amber" } : null,
                restricted: ch.restricted,
                stuck: stuck.get(ch.id) ?? null,
                permission: ch.paymentMode === "partner" && ch.permission === "unknown" ? "granted (partner payment)" : ch.permission,
                qualityAndLimit: ch.qualityRating || ch.messagingLimit ? `${ch.qualityRating ?? "—"} / ${ch.messagingLimit ?? "—"}` : "—",
                key: keyWords(keyFailing.has(ch.id) && ch.keyStatus !== "active" ? "failing" : ch.keyStatus, ch.keyLast4),
                wabaWebhook: ch.wabaWebhookState === "set" ? "set" : ch.wabaWebhookState === "failed" ? "failed" : "not_yet",
                statusSince: formatMinute(ch.statusChangedAt),
              };
            })}
          />
          <NextPage href={nextPageHref(query, page.next)} />
        </Card>
      )}
    </>
  );
}
