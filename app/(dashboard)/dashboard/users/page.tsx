import type { Metadata } from "next";
import { DataTable } from "@/app/_components/data-table";
import { Badge, Card, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { loadUserList } from "@/lib/dashboard/users";
import { loadTwoFactorSummary } from "@/lib/auth/account-admin";
import { readPolicy } from "@/lib/auth/policy";
import { CreateUserForm } from "./create-user-form";
import { TwoFactorPolicyForm, UserSecurityActions } from "./security-forms";
import { UserRowActions } from "./user-row-actions";
import { formatMinute } from "@/lib/dates";

export const metadata: Metadata = { title: "Users" };


export default async function UsersPage() {
  const me = await requirePageRole("admin");
  const users = await loadUserList();
  const [twoFactor, policy] = await Promise.all([loadTwoFactorSummary(), readPolicy()]);
  const twoFactorOf = (id: string) => {
    const t = twoFactor.get(id);
    const parts = [t?.totp ? "authenticator app" : null, t?.passkeys ? `${t.passkeys} passkey${t.passkeys === 1 ? "" : "s"}` : null].filter(Boolean);
    return parts.length ? `Two-factor: ${parts.join(", ")}` : "No second factor";
  };
  return (
    <>
      <PageHeader title="Users" description="Partner staff who can sign in. Viewers see everything, operators onboard and submit, admins also manage users, settings and keys." />
      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <Card>
          <DataTable
            caption="Staff users"
            rows={users}
            rowKey={(u) => u.id}
            rowProps={(u) => ({ "data-testid": `user-row-${u.email}` })}
            columns={[
              {
                header: "User",
                className: "py-3 pr-4 align-top",
                cell: (u) => (
                  <>
                    <div className="font-medium">{u.name || "—"}</div>
                    <div className="text-slate-600">{u.email}</div>
                  </>
                ),
              },
              {
                header: "Status",
                className: "py-3 pr-4 align-top",
                cell: (u) =>
                  u.disabledAt ? (
                    <Badge tone="red">Disabled</Badge>
                  ) : !u.passwordHash ? (
                    <Badge tone="amber">Invited</Badge>
                  ) : u.mustChangePassword ? (
                    <Badge tone="blue">One-time password</Badge>
                  ) : (
                    <Badge tone="green">Active</Badge>
                  ),
              },
              { header: "Last sign-in (UTC)", className: "py-3 pr-4 align-top text-slate-600", cell: (u) => (u.lastLoginAt ? formatMinute(u.lastLoginAt) : "Never") },
              {
                header: "Role and access",
                className: "py-3 align-top",
                cell: (u) => <UserRowActions user={{ id: u.id, email: u.email, role: u.role, disabled: Boolean(u.disabledAt) }} isSelf={u.id === me.id} />,
              },
              {
                header: "Sign-in security",
                className: "py-3 pl-4 align-top",
                cell: (u) => <UserSecurityActions user={{ id: u.id, email: u.email }} twoFactor={twoFactorOf(u.id)} isSelf={u.id === me.id} />,
              },
            ]}
          />
        </Card>
        <div className="space-y-6">
          <Card title="Add a user">
            <CreateUserForm />
          </Card>
          <Card title="Sign-in policy">
            <TwoFactorPolicyForm stored={policy.stored} floor={policy.floor} />
          </Card>
        </div>
      </div>
    </>
  );
}
