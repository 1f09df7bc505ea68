import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Templates" };

export default async function Page() {
  await requirePageRole("viewer");
  return (
    <>
      <PageHeader title="Templates" description="Message templates submitted for your clients' numbers, checked before Meta sees them." />
      <EmptyState title="No templates yet">Templates can be written once a channel is running and has its API key.</EmptyState>
    </>
  );
}
