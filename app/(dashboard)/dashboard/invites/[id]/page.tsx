import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LiveRefresh } from "@/app/_components/live-refresh";
import { Alert, Badge, Card, EmptyState, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { hasRole } from "@/lib/auth/roles";
import { requirePageRole } from "@/lib/auth/session";
import { INVITE_STATE_WORDS, loadInviteDetail, purposeWords, usesWords } from "@/lib/dashboard/invites";
import { RevokeInvite } from "../revoke-invite";
import { formatSecond } from "@/lib/dates";

export const metadata: Metadata = { title: "Invite" };


type Step = { id: number; words: string; at: Date };

function Steps({ steps, label }: { steps: Step[]; label: string }) {
  return (
    <ol aria-label={label} className="space-y-1 text-sm">
      {steps.map((s) => (
        <li key={s.id} className="flex gap-3">
          <span className="whitespace-nowrap text-slate-500">{formatSecond(s.at)}</span>
          <span>{s.words}</span>
        </li>
      ))}
    </ol>
  );
}

export default async function InvitePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageRole("viewer");
  const detail = await loadInviteDetail((await params).id);
  if (!detail) notFound();
  const { invite, state, hubName, createdBy, prefill, linkSteps, sessions, truncated } = detail;
  const stateWords = INVITE_STATE_WORDS[state];
  const title = invite.label || "Invite without a label";
  return (
    <>
      <PageHeader
        title={title}
        description={`${purposeWords(invite.purpose)} invite on ${hubName}. Times are UTC.`}
        actions={<Link href="/dashboard/invites" className={secondaryButtonClass}>All invites</Link>}
      />
      <LiveRefresh topics={["invite", "session", "channel"]} hubId={invite.hubId} />
      {truncated ? <div className="mb-4"><Alert tone="info">This invite has a long history: only its first steps and latest sessions are shown.</Alert></div> : null}
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="Invite" className="lg:col-span-1">
          <dl className="space-y-2 text-sm">
            <Item label="State">
              <Badge tone={stateWords.tone}>{stateWords.words}</Badge>
              {invite.revokedAt ? <span className="ml-2 text-slate-600">since {formatSecond(invite.revokedAt)}</span> : null}
            </Item>
            <Item label="Uses">{usesWords(invite.useCount, invite.maxUses)}</Item>
            <Item label="Expires">{invite.expiresAt ? formatSecond(invite.expiresAt) : "Never"}</Item>
            <Item label="Created">{formatSecond(invite.createdAt)}{createdBy ? ` by ${createdBy}` : ""}</Item>
            {prefill.length === 0 ? <Item label="Prefill">None</Item> : prefill.map(([label, value]) => <Item key={label} label={label}>{value}</Item>)}
          </dl>
          {state === "valid" && hasRole(user.role, "operator") ? (
            <div className="mt-4 border-t border-slate-100 pt-4"><RevokeInvite inviteId={invite.id} /></div>
          ) : null}
          <p className="mt-4 text-xs text-slate-500">The link itself was shown once, when it was created; only its fingerprint is stored.</p>
        </Card>
        <div className="space-y-6 lg:col-span-2">
          <Card title="Link activity">
            {linkSteps.length === 0 ? <p className="text-sm text-slate-600">Nobody has opened the link yet.</p> : <Steps steps={linkSteps} label="Link activity" />}
          </Card>
          {sessions.length === 0 ? (
            <EmptyState title="No onboarding started yet">Each time the prospect starts connecting WhatsApp from this link, a session appears here with every step it reached.</EmptyState>
          ) : (
            sessions.map((s, i) => (
              <section key={s.id} aria-label={`Session ${sessions.length - i}`} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
                <h2 className="text-base font-semibold">Session {sessions.length - i}: {s.method}, started {formatSecond(s.createdAt)}</h2>
                <p className="mt-1 text-sm text-slate-700">{s.status}</p>
                {s.error ? <p className="mt-1 text-sm text-red-700">{s.error}</p> : null}
                <p className="mt-1 text-sm text-slate-700">
                  {s.client ? (
                    <>Client: <Link href={`/dashboard/clients/${s.client.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">{s.client.name}</Link> ({s.client.externalId})</>
                  ) : (
                    "No client linked yet."
                  )}
                  {s.channelExternalIds.length ? ` Numbers: ${s.channelExternalIds.join(", ")}.` : ""}
                  {s.revokedExternalIds.length ? ` Permission withdrawn: ${s.revokedExternalIds.join(", ")}.` : ""}
                </p>
                <div className="mt-3">
                  {s.steps.length === 0 ? <p className="text-sm text-slate-600">No steps recorded.</p> : <Steps steps={s.steps} label={`Steps of session ${sessions.length - i}`} />}
                </div>
              </section>
            ))
          )}
        </div>
      </div>
    </>
  );
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
      <dd className="break-words text-slate-800">{children}</dd>
    </div>
  );
}
