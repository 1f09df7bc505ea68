import type { Metadata } from "next";
import { Badge, Card, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { loadUserList } from "@/lib/dashboard/users";
import { CreateUserForm } from "./create-user-form";
import { UserRowActions } from "./user-row-actions";

export const metadata: Metadata = { title: "Users" };

const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

export default async function UsersPage() {
  const me = await requirePageRole("admin");
  const users = await loadUserList();
  return (
    <>
      <PageHeader title="Users" description="Partner staff who can sign in. Viewers see everything, operators onboard and submit, admins also manage users, settings and keys." />
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <Card>
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Staff users</caption>
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="py-2 pr-4">User</th>
                <th scope="col" className="py-2 pr-4">Status</th>
                <th scope="col" className="py-2 pr-4">Last sign-in (UTC)</th>
                <th scope="col" className="py-2">Role and access</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.map((u) => (
                <tr key={u.id} data-testid={`user-row-${u.email}`}>
                  <td className="py-3 pr-4 align-top">
                    <div className="font-medium">{u.name || "—"}</div>
                    <div className="text-slate-600">{u.email}</div>
                  </td>
                  <td className="py-3 pr-4 align-top">
                    {u.disabledAt ? (
                      <Badge tone="red">Disabled</Badge>
                    ) : !u.passwordHash ? (
                      <Badge tone="amber">Invited</Badge>
                    ) : u.mustChangePassword ? (
                      <Badge tone="blue">One-time password</Badge>
                    ) : (
                      <Badge tone="green">Active</Badge>
                    )}
                  </td>
                  <td className="py-3 pr-4 align-top text-slate-600">{u.lastLoginAt ? when.format(u.lastLoginAt) : "Never"}</td>
                  <td className="py-3 align-top">
                    <UserRowActions user={{ id: u.id, email: u.email, role: u.role, disabled: Boolean(u.disabledAt) }} isSelf={u.id === me.id} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title="Add a user">
          <CreateUserForm />
        </Card>
      </div>
    </>
  );
}
