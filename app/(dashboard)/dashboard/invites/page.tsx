import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Invites" };

export default async function Page() {
  await requirePageRole("viewer");
  return (
    <>
      <PageHeader title="Invites" description="Personal onboarding links for your prospects, with their progress." />
      <EmptyState title="No invites yet">Invite links for clients arrive with client onboarding: each link prefills the signup and shows how far the prospect got.</EmptyState>
    </>
  );
}
