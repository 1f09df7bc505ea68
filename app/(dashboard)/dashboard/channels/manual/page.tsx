import type { Metadata } from "next";
import { Card, EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { hubOptions } from "@/lib/dashboard/lists";
import { ManualChannelForm } from "./manual-channel-form";

export const metadata: Metadata = { title: "Add a number from elsewhere" };

export default async function ManualChannelPage() {
  await requirePageRole("operator");
  const hubs = await hubOptions();
  return (
    <>
      <PageHeader title="Add a number from elsewhere" description="For a client onboarded outside the portal: bring its number and API key, and manage its templates here like any other." />
      {hubs.length === 0 ? (
        <EmptyState title="No hub configured">An admin sets up the 360dialog hub in Settings first.</EmptyState>
      ) : (
        <Card>
          <ManualChannelForm hubs={hubs} />
        </Card>
      )}
    </>
  );
}
