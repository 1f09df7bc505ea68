import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { Alert, Badge, Card, PageHeader, secondaryButtonClass } from "@/app/_components/ui";
import { requirePageRole } from "@/lib/auth/session";
import { connectButtonEnvFor } from "@/lib/hub-config/connect-button";
import { getHubSummary } from "@/lib/hub-config/settings";
import { getOnboardingSettings } from "@/lib/onboarding/settings";
import { ActivateEmbeddedSignup } from "../activate-embedded-signup";
import { OnboardingSettingsForm } from "../onboarding-settings-form";

export const metadata: Metadata = { title: "Onboarding settings" };

export default async function OnboardingSettingsPage({ params, searchParams }: { params: Promise<{ hubId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole("admin");
  const { hubId } = await params;
  const hub = z.uuid().safeParse(hubId).success ? await getHubSummary(hubId) : null;
  if (!hub) notFound();
  const saved = Boolean((await searchParams).saved);
  const settings = getOnboardingSettings(hub);
  const { effective: _effective, ...stored } = settings;
  const buttonNote = connectButtonEnvFor(hub)
    ? null
    : `It only opens 360dialog's own hosts, and this hub uses ${hub.ioBaseUrl}: its clients get the portal popup instead.`;
  return (
    <>
      <PageHeader
        title={`Onboarding settings of ${hub.name}`}
        description="How clients of this hub start: the start page's look, the button that opens 360dialog, and partner-hosted Embedded Signup."
        actions={<Link href="/dashboard/settings" className={secondaryButtonClass}>Back to settings</Link>}
      />
      {saved ? <div className="mb-4"><Alert tone="success">Onboarding settings saved.</Alert></div> : null}
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <OnboardingSettingsForm defaults={{ hubId: hub.id, ...stored }} connectButtonNote={buttonNote} />
        </Card>
        <div className="space-y-6">
          <Card title="Who may start">
            <p className="text-sm">
              Open signup:{" "}
              <Badge tone={hub.openSignup ? "green" : "slate"}>{hub.openSignup ? "On" : "Off"}</Badge>
            </p>
            <p className="mt-2 text-sm text-slate-600">
              {hub.openSignup ? "Anyone may start onboarding from the start page." : "Only holders of an invite link (and signed-in staff) may start onboarding."}
            </p>
            <p className="mt-1 text-sm text-slate-600">IO Signature: {hub.ioSignatureEnabled ? "on" : "off"}.</p>
            <Link href={`/dashboard/settings?edit=${hub.id}`} className={`${secondaryButtonClass} mt-3`}>Change in the hub settings</Link>
          </Card>
          <Card title="Embedded Signup at 360dialog">
            <ActivateEmbeddedSignup hubId={hub.id} solutionId={settings.solutionId} />
          </Card>
        </div>
      </div>
    </>
  );
}
