import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Clients" };

export default async function Page() {
  await requirePageRole("viewer");
  return (
    <>
      <PageHeader title="Clients" description="The partner's business customers on 360dialog, with their numbers, invites and onboarding sessions." />
      <EmptyState title="No clients yet">Clients appear here when they finish 360dialog onboarding from your start page or an invite link, or when the portal reconciles with your partner hub.</EmptyState>
    </>
  );
}
