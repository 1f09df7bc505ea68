import type { Metadata } from "next";
import Link from "next/link";
import { DataTable } from "@/app/_components/data-table";
import { ExportLink, FilterBar, FilterSelect, NextPage } from "@/app/_components/filters";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Badge, Card, EmptyState, PageHeader } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { INVITE_STATE_WORDS, defaultInviteExpiry, loadInviteList, purposeWords, usesWords } from "@/lib/dashboard/invites";
import { CreateInviteForm } from "./create-invite-form";
import { RevokeInvite } from "./revoke-invite";
import { formatDay, formatMinute } from "@/lib/dates";

export const metadata: Metadata = { title: "Invites" };


export default async function InvitesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePageRole("viewer");
  const canChange = hasRole(user.role, "operator");
  const { query, rows, nextHref, hubs } = await loadInviteList(await searchParams);
  const multiHub = hubs.length > 1;
  return (
    <>
      <PageHeader title="Invites" description="Personal onboarding links for your prospects: prefilled for 360dialog, limited in time and uses, and followed step by step." />
      <LiveRefresh topics={["invite", "session", "channel"]} hubId={query.hub} />
      {canChange ? (
        <Card title="Create an invite link" className="my-6">
          {hubs.length === 0 ? (
            <p className="text-sm text-slate-600">Add a partner hub in Settings first: every invite belongs to one hub.</p>
          ) : (
            <CreateInviteForm hubs={hubs} defaultExpiry={defaultInviteExpiry()} />
          )}
        </Card>
      ) : (
        <p className="my-4 text-sm text-slate-600">Your role can see invites; operators and admins create and revoke them.</p>
      )}
      {multiHub ? (
        <FilterBar label="Filter invites" clearHref="/dashboard/invites" active={Boolean(query.hub)}>
          <FilterSelect id="f-hub" label="Filter by hub" name="hub" value={query.hub} options={[{ value: "", label: "All hubs" }, ...hubs.map((h) => ({ value: h.id, label: h.name }))]} />
        </FilterBar>
      ) : null}
      {rows.length === 0 ? (
        <EmptyState title={query.hub ? "No invite on this hub" : "No invites yet"}>
          {canChange ? "Create a link above and send it to a prospect: this list then shows how far they got." : "Invites appear here when an operator creates one."}
        </EmptyState>
      ) : (
        <Card>
          <ExportLink list="invites" query={query} />
          <DataTable
            caption="Invite links"
            scroll
            rows={rows}
            rowKey={(r) => r.id}
            rowProps={() => ({ "data-testid": "invite-row", className: "align-top" })}
            columns={[
              {
                header: "Invite",
                className: "py-2 pr-4",
                cell: (r) => (
                  <>
                    <Link href={`/dashboard/invites/${r.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{r.label || "(no label)"}</Link>
                    {r.prefill ? <div className="text-xs text-slate-600">{r.prefill}</div> : null}
                    <div className="text-xs text-slate-500">
                      {multiHub ? `${r.hubName} · ` : ""}created {formatDay(r.createdAt)}{r.expiresAt ? ` · expires ${formatDay(r.expiresAt)}` : ""}
                    </div>
                  </>
                ),
              },
              { header: "Purpose", className: "py-2 pr-4", cell: (r) => purposeWords(r.purpose) },
              { header: "State", className: "py-2 pr-4", cell: (r) => <Badge tone={INVITE_STATE_WORDS[r.state].tone}>{INVITE_STATE_WORDS[r.state].words}</Badge> },
              { header: "Uses", className: "py-2 pr-4", cell: (r) => usesWords(r.useCount, r.maxUses) },
              {
                header: "Progress (UTC)",
                className: "py-2 pr-4",
                cell: (r) =>
                  r.progress ? (
                    <>
                      <div>{r.progress.words}</div>
                      {r.progress.at ? <div className="text-xs text-slate-500">{formatMinute(r.progress.at)}</div> : null}
                    </>
                  ) : (
                    <span className="text-slate-500">Not opened yet</span>
                  ),
              },
              { header: "Linked", headerClassName: "py-2 pr-4", className: "py-2 pr-4 text-slate-700", cell: (r) => r.linked },
              ...(canChange
                ? [{ header: <span className="sr-only">Actions</span>, className: "py-2", cell: (r: (typeof rows)[number]) => (r.state === "valid" ? <RevokeInvite inviteId={r.id} /> : null) }]
                : []),
            ]}
          />
          <NextPage href={nextHref} />
        </Card>
      )}
    </>
  );
}
