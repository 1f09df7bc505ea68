import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Webhooks" };

export default async function Page() {
  await requirePageRole("viewer");
  return (
    <>
      <PageHeader title="Webhooks" description="Every event 360dialog sent to this portal, stored before it is acknowledged." />
      <EmptyState title="No webhook deliveries yet">Deliveries appear here as soon as your partner hub&apos;s webhook URL points at this portal.</EmptyState>
    </>
  );
}
