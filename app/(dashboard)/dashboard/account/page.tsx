import type { Metadata } from "next";
import { AddPasskeyForm } from "@/app/_components/passkeys";
import { DataTable } from "@/app/_components/data-table";
import { Badge, Card, PageHeader } from "@/app/_components/ui";
import { TotpEnrolment } from "@/app/(auth)/two-factor/totp-enrolment";
import { loadAccountSecurity } from "@/lib/auth/account";
import { requirePageRole } from "@/lib/auth/session";
import { describeBrowser } from "@/lib/auth/user-agent";
import { formatMinute } from "@/lib/dates";
import { EndOtherSessionsButton, EndSessionButton, PasskeyRow, TotpManagement } from "./account-forms";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const me = await requirePageRole("viewer");
  const account = await loadAccountSecurity(me.id);
  return (
    <>
      <PageHeader title="Your account" description={`Sign-in security of ${me.email}: second factors and where you are signed in.`} />
      <div className="space-y-6">
        <Card title="Authenticator app">
          {account.factors.totp ? (
            <div className="space-y-4">
              <p className="text-sm">
                <Badge tone="green">On</Badge> Sign-in asks for a code from your app. {account.factors.recoveryCodesLeft} of 10 recovery codes left.
              </p>
              <TotpManagement />
            </div>
          ) : (
            <div className="space-y-2">
              <p className="text-sm text-slate-600">Not set up. With an app, sign-in asks for a 6-digit code after your password.</p>
              <TotpEnrolment then="/dashboard/account" />
            </div>
          )}
        </Card>
        <Card title="Passkeys">
          <p className="mb-3 text-sm text-slate-600">
            A passkey signs you in without a password (your device asks for its PIN, fingerprint or face), and is a second factor after your password.
          </p>
          {account.passkeys.length ? (
            <DataTable
              caption="Your passkeys"
              rows={account.passkeys}
              rowKey={(p) => p.id}
              rowProps={(p) => ({ "data-testid": `passkey-${p.name}` })}
              columns={[
                { header: "Name", className: "py-2 pr-4 align-top", cell: (p) => <PasskeyRow id={p.id} name={p.name} /> },
                { header: "Added (UTC)", className: "py-2 pr-4 align-top", cell: (p) => formatMinute(p.createdAt) },
                { header: "Last used (UTC)", className: "py-2 pr-4 align-top", cell: (p) => (p.lastUsedAt ? formatMinute(p.lastUsedAt) : "Never") },
              ]}
            />
          ) : (
            <p className="mb-3 text-sm text-slate-600">No passkeys yet.</p>
          )}
          <div className="mt-4 max-w-sm">
            <AddPasskeyForm />
          </div>
        </Card>
        <Card title="Where you are signed in">
          <DataTable
            caption="Your sessions"
            rows={account.sessions}
            rowKey={(s) => s.id}
            rowProps={(s) => ({ "data-testid": s.id === me.sessionId ? "session-current" : `session-${s.id}` })}
            columns={[
              {
                header: "Browser",
                className: "py-2 pr-4 align-top",
                cell: (s) => (
                  <>
                    {describeBrowser(s.userAgent)} {s.id === me.sessionId ? <Badge tone="blue">This browser</Badge> : null}
                  </>
                ),
              },
              { header: "IP address", className: "py-2 pr-4 align-top", cell: (s) => s.ip },
              { header: "Signed in (UTC)", className: "py-2 pr-4 align-top", cell: (s) => formatMinute(s.createdAt) },
              { header: "Last seen (UTC)", className: "py-2 pr-4 align-top", cell: (s) => formatMinute(s.lastSeenAt) },
              { header: "", className: "py-2 pr-4 align-top", cell: (s) => (s.id === me.sessionId ? null : <EndSessionButton id={s.id} label={`${describeBrowser(s.userAgent)} ${s.ip}`} />) },
            ]}
          />
          {account.sessions.length > 1 ? (
            <div className="mt-4">
              <EndOtherSessionsButton />
            </div>
          ) : null}
        </Card>
      </div>
    </>
  );
}
