import Link from "next/link";
import { connection } from "next/server";
import { buttonClass, secondaryButtonClass } from "@/app/_components/ui";

/** 404 inside the dashboard: its navigation stays (this renders in the dashboard layout), and so do its links. */
export default async function DashboardNotFound() {
  await connection(); // rendered per request so it carries the CSP nonce
  return (
    <section className="max-w-xl" aria-labelledby="not-found-title">
      <p className="text-sm font-semibold text-slate-500">404</p>
      <h1 id="not-found-title" className="mt-1 text-2xl font-semibold tracking-tight">This page does not exist</h1>
      <p className="mt-2 text-sm text-slate-600">
        The address may be mistyped, or what it showed (a client, a number, an invite) is no longer in the portal. The menu
        leads everywhere else.
      </p>
      <div className="mt-5 flex flex-wrap gap-2">
        <Link href="/dashboard" className={buttonClass}>Go to the overview</Link>
        <Link href="/dashboard/clients" className={secondaryButtonClass}>Clients</Link>
        <Link href="/dashboard/channels" className={secondaryButtonClass}>Channels</Link>
      </div>
    </section>
  );
}
