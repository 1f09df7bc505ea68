import Link from "next/link";
import { Badge, inputClass } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { listHubBadges } from "@/lib/hub-config/settings";
import { NavLinks } from "./nav-links";
import { SignOutButton } from "./sign-out-button";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageRole("viewer");
  const hubs = await listHubBadges();
  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-60 shrink-0 border-r border-slate-200 bg-white md:block">
        <div className="px-5 py-5">
          <Link href="/dashboard" className="text-base font-semibold text-brand-800">
            Partner portal
          </Link>
        </div>
        <NavLinks role={user.role} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        {/* Narrow screens: the sidebar folds into a menu above the page (no script needed). */}
        <details className="border-b border-slate-200 bg-white md:hidden">
          <summary className="cursor-pointer px-4 py-3 text-sm font-semibold text-brand-800">Partner portal · Menu</summary>
          <div className="pb-3">
            <NavLinks role={user.role} />
          </div>
        </details>
        <header className="flex flex-wrap items-center justify-end gap-x-4 gap-y-2 border-b border-slate-200 bg-white px-4 py-3 text-sm md:px-6">
          <ul className="mr-auto flex flex-wrap gap-2" aria-label="Partner hubs">
            {hubs.length === 0 ? (
              <li><Badge tone="slate">No hub configured</Badge></li>
            ) : (
              hubs.map((h) => (
                <li key={h.id}>
                  <Badge tone={h.badge.tone}>
                    {h.name === h.badge.label ? h.name : `${h.name}: ${h.badge.label}`}
                  </Badge>
                </li>
              ))
            )}
          </ul>
          {/* A GET form: search works before any script has loaded, and its results page can be bookmarked. */}
          <form method="get" action="/dashboard/search" role="search" className="w-full sm:w-64">
            <label htmlFor="header-search" className="sr-only">Search clients, numbers and templates</label>
            <input id="header-search" type="search" name="q" placeholder="Search client, number, template" maxLength={100} className={inputClass} />
          </form>
          <span className="text-slate-600">
            <span className="font-medium text-slate-900">{user.name || user.email}</span> · {user.role}
          </span>
          <Link href="/dashboard/account" className="text-slate-600 underline-offset-2 hover:underline">
            Account
          </Link>
          <Link href="/change-password" className="text-slate-600 underline-offset-2 hover:underline">
            Password
          </Link>
          <SignOutButton />
        </header>
        <main className="flex-1 px-4 py-6 md:px-8 md:py-8">{children}</main>
      </div>
    </div>
  );
}
