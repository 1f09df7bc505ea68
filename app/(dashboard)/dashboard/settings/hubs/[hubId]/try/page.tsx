import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Alert, Card, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { publicBaseUrl } from "@/lib/env";
import { connectButtonEnvFor } from "@/lib/hub-config/connect-button";
import { getHubSummary } from "@/lib/hub-config/settings";
import { ConnectPlayground } from "./connect-playground";

export const metadata: Metadata = { title: "Try the Connect Button", referrer: "no-referrer" };

export default async function TryConnectPage({ params }: { params: Promise<{ hubId: string }> }) {
  await requirePageRole("admin");
  const { hubId } = await params;
  const hub = /^[0-9a-f-]{36}$/.test(hubId) ? await getHubSummary(hubId) : null;
  if (!hub) notFound();
  const env = connectButtonEnvFor(hub);
  const here = `${publicBaseUrl()}/dashboard/settings/hubs/${hub.id}/try`;
  return (
    <>
      <PageHeader
        title={`Try the Connect Button: ${hub.name}`}
        description="Opens this hub's Integrated Onboarding in a popup with the official 360dialog Connect Button and shows what comes back. Nothing is linked or stored: client onboarding does that."
        actions={<Link href="/dashboard/settings" className={secondaryButtonClass}>Back to settings</Link>}
      />
      <Card>
        {!env ? (
          <Alert tone="warning">
            The official Connect Button only opens 360dialog&apos;s own hosts (or the local sandbox on port 8082). This hub uses {hub.ioBaseUrl}, so its clients onboard through the portal&apos;s own popup instead.
          </Alert>
        ) : hub.ioSignatureEnabled ? (
          <Alert tone="warning">IO Signature is on for this hub: a signature is made per click for an authorised client, which this test page does not do.</Alert>
        ) : (
          <ConnectPlayground partnerId={hub.partnerId} env={env} version={hub.ioVersion} redirectUrl={here} />
        )}
      </Card>
    </>
  );
}
