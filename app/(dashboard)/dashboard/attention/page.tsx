import type { Metadata } from "next";
import Link from "next/link";
import { FilterBar, FilterSelect } from "@/app/_components/filters";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Alert, Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { STUCK_RULES, STUCK_RULE_WORDS } from "@/lib/channels/stuck";
import { loadAttention, stuckRowData } from "@/lib/dashboard/attention";
import { StuckRows } from "../stuck-actions";

export const metadata: Metadata = { title: "Needs attention" };

/**
 * Every number that waits too long for a status, a key or a permission, or whose background task stopped, oldest
 * first, with the next step and its action: the whole list the Overview's card shows the oldest of. Filtered by
 * reason and hub (a GET form, working before any script has loaded), 50 a page with a cursor (lib/dashboard/attention.ts).
 */
export default async function AttentionPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageRole("viewer");
  const a = await loadAttention(await searchParams);
  const operator = hasRole(user.role, "operator");
  const filtered = Boolean(a.rule || a.hub);
  const shown = a.rule ? a.byRule[a.rule] : a.total;
  const href = (cursor: string | null) => {
    const params = new URLSearchParams([...(a.hub ? [["hub", a.hub.id]] : []), ...(a.rule ? [["rule", a.rule]] : []), ...(cursor ? [["stuck", cursor]] : [])]);
    return `/dashboard/attention${params.size ? `?${params}` : ""}`;
  };
  return (
    <>
      <PageHeader
        title="Needs attention"
        description="Numbers that wait too long for a status, a key or a permission, and tasks that stopped, oldest first, each with its next step. Times in UTC."
      />
      <LiveRefresh topics={["channel", "api_key", "job"]} hubId={a.hub?.id} />
      {a.notes.length > 0 ? (
        <div className="mb-4">
          <Alert tone="warning">{a.notes.join(" ")}</Alert>
        </div>
      ) : null}
      <FilterBar label="Filter the list" clearHref="/dashboard/attention" active={filtered}>
        <FilterSelect
          id="f-rule"
          label="Reason"
          name="rule"
          value={a.rule ?? ""}
          options={[{ value: "", label: `Any reason (${a.total})` }, ...STUCK_RULES.map((r) => ({ value: r, label: `${STUCK_RULE_WORDS[r]} (${a.byRule[r]})` }))]}
        />
        {a.hubs.length > 1 ? (
          <FilterSelect id="f-hub" label="Hub" name="hub" value={a.hub?.id ?? ""} options={[{ value: "", label: "All hubs" }, ...a.hubs.map((h) => ({ value: h.id, label: h.name }))]} />
        ) : null}
      </FilterBar>
      {a.rows.length === 0 ? (
        <EmptyState title={a.paged ? "No more entries" : filtered ? "Nothing for this filter" : "Nothing is stuck"}>
          {a.paged ? "The list ends on the page before." : "Numbers that wait too long for a status, a key or a permission show up here with the next step."}
        </EmptyState>
      ) : (
        <Card>
          <StuckRows operator={operator} rows={a.rows.map(stuckRowData)} />
          <div className="mt-3 flex flex-wrap items-center gap-3 text-sm" data-testid="stuck-paging">
            <span className="text-slate-600">
              {a.rows.length} shown of {shown}
              {a.rule ? ` (${STUCK_RULE_WORDS[a.rule].toLowerCase()})` : ""}, oldest first.
            </span>
            {a.paged ? <Link href={href(null)} className={secondaryButtonClass}>First page</Link> : null}
            {a.next ? <Link href={href(a.next)} className={secondaryButtonClass}>Next page</Link> : null}
          </div>
        </Card>
      )}
    </>
  );
}
