import type { Metadata } from "next";
import Link from "next/link";
import { FilterBar, FilterInput, FilterSelect, NextPage } from "@/app/_components/filters";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Badge, Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { KNOWN_CHANNEL_STATUSES, loadChannelList, nextPageHref } from "@/lib/dashboard/lists";
import { channelStatusTone, channelStatusWords, keyWords } from "@/lib/dashboard/words";

export const metadata: Metadata = { title: "Channels" };

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function ChannelsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageRole("viewer");
  const { query, page, hubs, counts, stuck } = await loadChannelList(await searchParams);
  const filtered = Boolean(query.status || query.hub || query.q);
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
          ]}
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
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Channels</caption>
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="py-2 pr-4">Number</th>
                <th scope="col" className="py-2 pr-4">Client</th>
                <th scope="col" className="py-2 pr-4">Status</th>
                <th scope="col" className="py-2 pr-4">Permission</th>
                <th scope="col" className="py-2 pr-4">API key</th>
                <th scope="col" className="py-2">Status since</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {page.rows.map((ch) => (
                <tr key={ch.id}>
                  <td className="py-2 pr-4">
                    <Link href={`/dashboard/channels/${ch.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{ch.phoneNumber ?? ch.externalId}</Link>
                    <div className="font-mono text-xs text-slate-500">{ch.externalId}</div>
                  </td>
                  <td className="py-2 pr-4">
                    {ch.clientId ? <Link className="text-brand-700 underline-offset-2 hover:underline" href={`/dashboard/clients/${ch.clientId}`}>{ch.clientName || "(no name)"}</Link> : "—"}
                  </td>
                  <td className="py-2 pr-4">
                    <Badge tone={channelStatusTone(ch.statusRank, ch.restricted)}>{channelStatusWords(ch.status)}</Badge>
                    {ch.restricted ? <Badge tone="red">Restricted</Badge> : null}
                    {stuck.has(ch.id) ? (
                      <span title={stuck.get(ch.id)}>
                        {" "}
                        <Badge tone="amber">Stuck</Badge>
                      </span>
                    ) : null}
                  </td>
                  <td className="py-2 pr-4 text-slate-700">{ch.paymentMode === "partner" && ch.permission === "unknown" ? "granted (partner payment)" : ch.permission}</td>
                  <td className="py-2 pr-4 text-slate-700">{keyWords(ch.keyStatus, ch.keyLast4)}</td>
                  <td className="py-2 text-slate-600">{when.format(ch.statusChangedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <NextPage href={nextPageHref(query, page.next)} />
        </Card>
      )}
    </>
  );
}
