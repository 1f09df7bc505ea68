import type { Metadata } from "next";
import Link from "next/link";
import { ExportLink, FilterBar, FilterInput, FilterSelect, NextPage } from "@/app/_components/filters";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Badge, buttonClass, Card, EmptyState, PageHeader } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { nextPageHref } from "@/lib/dashboard/lists";
import { loadTemplateList } from "@/lib/dashboard/templates";
import { TEMPLATE_CATEGORIES } from "@/lib/templates/draft";
import { rejectionWords, templateStatusTone, templateStatusWords } from "@/lib/templates/status";
import { SyncTemplatesButton } from "./sync-button";
import { TemplateRows } from "./template-rows";
import { formatMinute } from "@/lib/dates";

export const metadata: Metadata = { title: "Templates" };

const STATUS_ORDER = ["draft", "submit_failed", "submit_unknown", "submitted", "pending", "in_appeal", "approved", "rejected", "paused", "disabled", "deleted"];

export default async function TemplatesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageRole("viewer");
  const { query, page, counts, hubs, clientName, channelLabel } = await loadTemplateList(await searchParams);
  const operator = hasRole(user.role, "operator");
  const filtered = Boolean(query.status || query.hub || query.category || query.language || query.client || query.channel || query.q);
  const total = counts.reduce((n, c) => n + c.n, 0);
  const statuses = [...new Set([...STATUS_ORDER.filter((s) => counts.some((c) => c.status === s)), ...counts.map((c) => c.status)])];
  const base = { ...query, status: undefined, after: undefined };
  const unscoped = `?${new URLSearchParams(Object.entries({ ...query, client: undefined, channel: undefined, after: undefined }).filter((e): e is [string, string] => Boolean(e[1])))}`;
  const tabHref = (status?: string) => `?${new URLSearchParams(Object.entries({ ...base, status }).filter((e): e is [string, string] => Boolean(e[1])))}`;
  return (
    <>
      <PageHeader
        title="Templates"
        description="Message templates of your clients' numbers: checked before Meta sees them, with every status Meta gives. Times in UTC."
        actions={
          operator ? (
            <SyncTemplatesButton
              channelId={query.channel}
              hubId={query.channel ? undefined : query.hub}
              label={query.channel ? "Sync this number now" : query.hub ? "Sync this hub now" : "Sync all now"}
            >
              <Link href={query.channel ? `/dashboard/templates/new?channel=${query.channel}` : "/dashboard/templates/new"} className={buttonClass}>New template</Link>
            </SyncTemplatesButton>
          ) : null
        }
      />
      <LiveRefresh topics={["template"]} hubId={query.hub} />
      <nav aria-label="Templates by status" className="mb-4 flex flex-wrap gap-2 text-sm">
        <Link href={tabHref()} aria-current={!query.status ? "page" : undefined} className={tab(!query.status)}>All <Badge>{total}</Badge></Link>
        {statuses.map((s) => (
          <Link key={s} href={tabHref(s)} aria-current={query.status === s ? "page" : undefined} className={tab(query.status === s)}>
            {templateStatusWords(s)} <Badge tone={templateStatusTone(s)}>{counts.find((c) => c.status === s)?.n ?? 0}</Badge>
          </Link>
        ))}
      </nav>
      <FilterBar label="Filter templates" clearHref="/dashboard/templates" active={filtered}>
        {query.status ? <input type="hidden" name="status" value={query.status} /> : null}
        {query.client ? <input type="hidden" name="client" value={query.client} /> : null}
        {query.channel ? <input type="hidden" name="channel" value={query.channel} /> : null}
        <FilterInput id="f-name" label="Name" name="q" value={query.q} placeholder="order_update" />
        <FilterSelect id="f-category" label="Category" name="category" value={query.category} options={[{ value: "", label: "Any category" }, ...TEMPLATE_CATEGORIES.map((c) => ({ value: c, label: c }))]} />
        <FilterInput id="f-language" label="Language" name="language" value={query.language} placeholder="en_US" />
        <FilterSelect id="f-hub" label="Hub" name="hub" value={query.hub} options={[{ value: "", label: "All hubs" }, ...hubs.map((h) => ({ value: h.id, label: h.name }))]} />
      </FilterBar>
      {clientName || channelLabel ? (
        <p className="mb-4 text-sm text-slate-700">
          Showing {clientName ? <>client <strong>{clientName}</strong></> : null}
          {clientName && channelLabel ? ", " : null}
          {channelLabel ? <>number <strong>{channelLabel}</strong></> : null}.{" "}
          <Link className="text-brand-700 underline" href={unscoped}>Show all</Link>
        </p>
      ) : null}
      {page.rows.length === 0 ? (
        <EmptyState title={filtered ? "No template matches" : "No templates yet"}>
          {filtered
            ? "Try another part of the name, status, category or language."
            : "Write one with New template once a number is running with its API key, or press Sync all now to read the templates your clients already have."}
        </EmptyState>
      ) : (
        <Card>
          <ExportLink list="templates" query={query} />
          <TemplateRows
            rows={page.rows.map((t) => ({
              id: t.id,
              name: t.name,
              language: t.language,
              channelId: t.channelId,
              number: t.phoneNumber ?? t.channelExternalId,
              numberCancelled: t.channelCancellation === "cancelled",
              client: t.clientId ? t.clientName || "(no name)" : null,
              category: t.category,
              categoryChange: t.categoryChanged ? `Changed by Meta${t.requestedCategory ? ` (was ${t.requestedCategory})` : ""}` : null,
              status: { words: templateStatusWords(t.status), tone: templateStatusTone(t.status) },
              rejection: t.rejectedReason ? rejectionWords(t.rejectedReason) : null,
              changed: formatMinute(t.updatedAt),
            }))}
          />
          <NextPage href={nextPageHref(query, page.next)} />
        </Card>
      )}
    </>
  );
}

function tab(active: boolean): string {
  return `inline-flex items-center gap-1 rounded-md border px-3 py-1.5 ${active ? "border-brand-600 bg-brand-50 font-medium text-brand-800" : "border-slate-200 bg-white text-slate-700 hover:bg-slate-50"}`;
}
