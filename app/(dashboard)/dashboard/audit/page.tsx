import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { ExportLink } from "@/app/_components/filters";
import { Card, EmptyState, PageHeader, buttonClass, inputClass, secondaryButtonClass } from "@/app/_components/ui";
import { formatCursor, loadAuditPage } from "@/lib/audit-view";
import { requirePageRole } from "@/lib/auth/session";
import { formatSecond } from "@/lib/dates";

export const metadata: Metadata = { title: "Audit log" };


export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole("viewer");
  const { query, page, actions, actors, hubs } = await loadAuditPage(await searchParams);
  const filtered = Boolean(query.action || query.actor || query.target || query.hub || query.since || query.until);
  const nextHref = page.next
    ? `?${new URLSearchParams(
        Object.entries({ ...query, after: formatCursor(page.next) }).filter((e): e is [string, string] => Boolean(e[1])),
      )}`
    : null;
  return (
    <>
      <PageHeader title="Audit log" description="Every change made by staff or by the portal itself, newest first. Times in UTC." />
      <Card className="mb-6">
        <form method="get" className="grid gap-3 md:grid-cols-7" aria-label="Filter the audit log">
          <div>
            <label htmlFor="f-action" className="block text-xs font-medium text-slate-600">Action</label>
            <select id="f-action" name="action" defaultValue={query.action ?? ""} className={inputClass}>
              <option value="">Any</option>
              {actions.map((a) => (
                <option key={a} value={a}>{a}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="f-actor" className="block text-xs font-medium text-slate-600">Who</label>
            <select id="f-actor" name="actor" defaultValue={query.actor ?? ""} className={inputClass}>
              <option value="">Anyone</option>
              {actors.map((a) => (
                <option key={a.id} value={a.id}>{a.email}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="f-hub" className="block text-xs font-medium text-slate-600">Hub</label>
            <select id="f-hub" name="hub" defaultValue={query.hub ?? ""} className={inputClass}>
              <option value="">All hubs</option>
              {hubs.map((h) => (
                <option key={h.id} value={h.id}>{h.name}</option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="f-target" className="block text-xs font-medium text-slate-600">Target id</label>
            <input id="f-target" name="target" defaultValue={query.target ?? ""} className={inputClass} />
          </div>
          <div>
            <label htmlFor="f-since" className="block text-xs font-medium text-slate-600">From</label>
            <input id="f-since" name="since" type="date" defaultValue={query.since ?? ""} className={inputClass} />
          </div>
          <div>
            <label htmlFor="f-until" className="block text-xs font-medium text-slate-600">To</label>
            <input id="f-until" name="until" type="date" defaultValue={query.until ?? ""} className={inputClass} />
          </div>
          <div className="flex items-end gap-2">
            <button type="submit" className={buttonClass}>Filter</button>
            {filtered ? <Link href="/dashboard/audit" className={secondaryButtonClass}>Clear</Link> : null}
          </div>
        </form>
      </Card>
      {page.rows.length === 0 ? (
        <EmptyState title={filtered ? "No entries match these filters" : "No audit entries yet"}>
          {filtered ? "Try a wider date range or another action." : "Entries appear as soon as anyone changes something."}
        </EmptyState>
      ) : (
        <Card>
          <ExportLink list="audit" query={query} />
          <DataTable
            caption="Audit entries"
            rows={page.rows}
            rowKey={(row) => row.id}
            columns={[
              { header: "When", className: "whitespace-nowrap py-2 pr-4 text-slate-600", cell: (row) => formatSecond(row.at) },
              { header: "Who", className: "py-2 pr-4", cell: (row) => row.actorLabel },
              { header: "Action", className: "py-2 pr-4 font-mono text-xs", cell: (row) => row.action },
              {
                header: "Target",
                className: "py-2 pr-4 text-xs text-slate-600",
                title: (row) => row.targetId ?? undefined,
                cell: (row) => (row.targetType ? `${row.targetType} ${row.targetId?.slice(0, 8) ?? ""}` : "—"),
              },
              {
                header: "Details",
                className: "py-2 text-xs text-slate-600",
                cell: (row) =>
                  Object.entries(row.detail).map(([k, v]) => (
                    <span key={k} className="mr-3 inline-block break-all">
                      <span className="text-slate-400">{k}:</span> {typeof v === "string" ? v : JSON.stringify(v)}
                    </span>
                  )),
              },
            ]}
          />
          {nextHref ? (
            <div className="mt-4">
              <Link href={nextHref} className={secondaryButtonClass}>Older entries</Link>
            </div>
          ) : null}
        </Card>
      )}
    </>
  );
}
