import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Channels" };

export default async function Page() {
  await requirePageRole("viewer");
  return (
    <>
      <PageHeader title="Channels" description="Every WhatsApp number followed from signup to running, with its API key state." />
      <EmptyState title="No channels yet">A channel appears when 360dialog reports a number created for one of your clients. Its status then follows the webhooks live.</EmptyState>
    </>
  );
}
