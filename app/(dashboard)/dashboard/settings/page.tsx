import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Settings" };

export default async function Page() {
  await requirePageRole("viewer");
  return (
    <>
      <PageHeader title="Settings" description="Your 360dialog partner hub, branding and thresholds." />
      <EmptyState title="No partner hub configured yet">Hub settings (partner ID, API credentials, platform secret, IO Signature, payment mode) arrive with the 360dialog integration.</EmptyState>
    </>
  );
}
