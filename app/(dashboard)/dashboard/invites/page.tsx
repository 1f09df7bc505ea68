import type { Metadata } from "next";
import Link from "next/link";
import { FilterBar, FilterSelect, NextPage } from "@/app/_components/filters";
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
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Invite links</caption>
              <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-4">Invite</th>
                  <th scope="col" className="py-2 pr-4">Purpose</th>
                  <th scope="col" className="py-2 pr-4">State</th>
                  <th scope="col" className="py-2 pr-4">Uses</th>
                  <th scope="col" className="py-2 pr-4">Progress (UTC)</th>
                  <th scope="col" className="py-2 pr-4">Linked</th>
                  {canChange ? <th scope="col" className="py-2"><span className="sr-only">Actions</span></th> : null}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {rows.map((r) => {
                  const state = INVITE_STATE_WORDS[r.state];
                  return (
                    <tr key={r.id} data-testid="invite-row" className="align-top">
                      <td className="py-2 pr-4">
                        <Link href={`/dashboard/invites/${r.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{r.label || "(no label)"}</Link>
                        {r.prefill ? <div className="text-xs text-slate-600">{r.prefill}</div> : null}
                        <div className="text-xs text-slate-500">
                          {multiHub ? `${r.hubName} · ` : ""}created {formatDay(r.createdAt)}{r.expiresAt ? ` · expires ${formatDay(r.expiresAt)}` : ""}
                        </div>
                      </td>
                      <td className="py-2 pr-4">{purposeWords(r.purpose)}</td>
                      <td className="py-2 pr-4"><Badge tone={state.tone}>{state.words}</Badge></td>
                      <td className="py-2 pr-4">{usesWords(r.useCount, r.maxUses)}</td>
                      <td className="py-2 pr-4">
                        {r.progress ? (
                          <>
                            <div>{r.progress.words}</div>
                            {r.progress.at ? <div className="text-xs text-slate-500">{formatMinute(r.progress.at)}</div> : null}
                          </>
                        ) : (
                          <span className="text-slate-500">Not opened yet</span>
                        )}
                      </td>
                      <td className="py-2 pr-4 text-slate-700">{r.linked}</td>
                      {canChange ? <td className="py-2">{r.state === "valid" ? <RevokeInvite inviteId={r.id} /> : null}</td> : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <NextPage href={nextHref} />
        </Card>
      )}
    </>
  );
}
