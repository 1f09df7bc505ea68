import Link from "next/link";
import { buttonClass } from "@/app/_components/ui";

/** 403 inside the dashboard (a page above the user's role): the navigation stays, and shows what the role may open. */
export default function DashboardForbidden() {
  return (
    <section className="max-w-xl" aria-labelledby="forbidden-title">
      <p className="text-sm font-semibold text-red-700">403</p>
      <h1 id="forbidden-title" className="mt-1 text-2xl font-semibold tracking-tight">You do not have access to this page</h1>
      <p className="mt-2 text-sm text-slate-600">Your role does not include it; the menu shows what it does. Ask an admin if you need it.</p>
      <div className="mt-5">
        <Link href="/dashboard" className={buttonClass}>Go to the overview</Link>
      </div>
    </section>
  );
}
