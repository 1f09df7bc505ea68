import type { Metadata } from "next";
import { FilterBar, FilterInput, FilterSelect, NextPage } from "@/app/_components/filters";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Card, EmptyState, PageHeader } from "@/app/_components/ui";
import { WebhookRows } from "./webhook-rows";
import { requirePageRole } from "@/lib/auth/session";
import { loadWebhookInbox, nextPageHref } from "@/lib/dashboard/lists";
import { WEBHOOK_EVENT_NAMES, WEBHOOK_OUTCOMES } from "@/lib/dashboard/words";
import { formatSecond } from "@/lib/dates";

export const metadata: Metadata = { title: "Webhooks" };

function signatureWords(result: string): string {
  if (result === "unsigned") return "unverified";
  if (result === "valid_previous") return "valid (previous secret)";
  if (result === "hub_secret") return "WABA webhook (hub secret)";
  return result;
}

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
          <WebhookRows
            rows={page.rows.map((w) => ({
              id: w.id,
              receivedAt: formatSecond(w.receivedAt),
              event: w.event,
              subject: w.channelExternalId ?? w.clientExternalId ?? "—",
              status: w.status,
              lastError: w.lastError,
              signature: { words: signatureWords(w.signatureResult), unverified: w.signatureResult === "unsigned" },
              attempts: `${w.attempts} · ${w.deliveries}`,
            }))}
          />
          <NextPage href={nextPageHref(query, page.next)} />
        </Card>
      )}
    </>
  );
}
