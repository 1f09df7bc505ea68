import type { Metadata } from "next";
import { headers } from "next/headers";
import { chooseLang } from "@/lib/onboarding/i18n";
import { HandoffView, isRedirectReturn } from "../../_components/handoff-view";

export const metadata: Metadata = { title: "Finishing your sign-up" };

/**
 * 360dialog's redirect target (custom popup, permission requests, direct links): hands the query to the opener
 * or finishes the flow itself (redirect-handoff.tsx). The server only looks whether a redirect parameter is there;
 * the page loads nothing from another site (docs/security.md R16; the no-referrer and no-store headers come from proxy.ts).
 */
export default async function RedirectPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [params, requestHeaders] = await Promise.all([searchParams, headers()]);
  const lang = chooseLang({ acceptLanguage: requestHeaders.get("accept-language"), fallback: "en" });
  return <HandoffView lang={lang} empty={!isRedirectReturn(params)} />;
}
