import type { Metadata } from "next";
import { HandoffView, isRedirectReturn } from "../../_components/handoff-view";
import { requestLocale, translations } from "../../_components/page-intl";

export async function generateMetadata(): Promise<Metadata> {
  const t = await translations(await requestLocale());
  return { title: t("titles.redirect") };
}

/**
 * 360dialog's redirect target (custom popup, permission requests, direct links): hands the query to the opener
 * or finishes the flow itself (redirect-handoff.tsx). The server only looks whether a redirect parameter is there;
 * the page loads nothing from another site (docs/security.md R16; the no-referrer and no-store headers come from proxy.ts).
 */
export default async function RedirectPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  return <HandoffView locale={await requestLocale()} empty={!isRedirectReturn(params)} />;
}
