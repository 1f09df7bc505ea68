import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const user = await requirePageRole("viewer");
  return (
    <>
      <PageHeader title="Overview" description={`Welcome, ${user.name || user.email}. What is moving and what is stuck, in one place.`} />
      <EmptyState title="Nothing to report yet">
        The onboarding funnel, channels by status and stuck numbers appear here once clients start onboarding.
        {user.role === "admin" ? (
          <>
            {" "}Meanwhile you can <Link className="font-semibold text-brand-700 underline" href="/dashboard/users">invite your team</Link>.
          </>
        ) : null}
      </EmptyState>
    </>
  );
}
