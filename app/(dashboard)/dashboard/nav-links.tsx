"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { UserRole } from "@/lib/auth/roles";

const items: { href: string; label: string; admin?: boolean }[] = [
  { href: "/dashboard", label: "Overview" },
  { href: "/dashboard/attention", label: "Needs attention" },
  { href: "/dashboard/clients", label: "Clients" },
  { href: "/dashboard/channels", label: "Channels" },
  { href: "/dashboard/templates", label: "Templates" },
  { href: "/dashboard/webhooks", label: "Webhooks" },
  { href: "/dashboard/invites", label: "Invites" },
  { href: "/dashboard/settings", label: "Settings", admin: true },
  { href: "/dashboard/users", label: "Users", admin: true },
  { href: "/dashboard/audit", label: "Audit" },
  { href: "/dashboard/api", label: "API" },
];

export function NavLinks({ role }: { role: UserRole }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="px-3">
      <ul className="space-y-0.5">
        {items
          .filter((item) => !item.admin || role === "admin")
          .map((item) => {
            const active = item.href === "/dashboard" ? pathname === item.href : (pathname ?? "").startsWith(item.href);
            return (
              <li key={item.href}>
                <Link
                  href={item.href}
                  aria-current={active ? "page" : undefined}
                  className={`block rounded-md px-3 py-2 text-sm ${active ? "bg-brand-50 font-semibold text-brand-800" : "text-slate-700 hover:bg-slate-100"}`}
                >
                  {item.label}
                </Link>
              </li>
            );
          })}
      </ul>
    </nav>
  );
}
