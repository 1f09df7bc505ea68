import { createTranslator } from "next-intl";
import Head from "next/head";
import type { Messages } from "@/i18n/catalogues";
import type { Locale } from "@/lib/i18n/locales";
import type { Brand } from "@/lib/onboarding/light-data";
import type { ConnectConfig } from "./connect-trigger";
import type { T } from "./intl-strings";
import { LandingView, Prepared, type PreparedFields } from "./landing-view";
import { PublicShell, linkClass } from "./public-shell";

// The light client pages' markup (docs/nextjs.md §2): what pages/index.tsx and pages/join/[token].tsx render from
// the props light-props.tsx made on the server. In production it runs on the server only (the pages switch Next's
// client runtime off); under `npm run dev` Next also hydrates it, which changes nothing on the page.

export type Island = { html: string; config: ConnectConfig };

export type LightView =
  | { kind: "chooser"; hubs: { href: string; name: string }[] }
  | { kind: "landing"; brandName: string; island: Island | null; esHref: string | null; permission: boolean; prepared: PreparedFields | null }
  | { kind: "invite-invalid"; reason: string; brandName: string };

export type LightPageProps = {
  locale: Locale;
  messages: Messages;
  /** The document title, without the portal's suffix; null for the 404. */
  title: string | null;
  brand: Brand;
  langHrefs: Record<Locale, string> | null;
  staffFooter: boolean;
  view: LightView;
  /** The page's one script and the CSP nonce it carries (proxy.ts). */
  script: { src: string; nonce: string } | null;
};

export function translatorOf(locale: Locale, messages: Messages): T {
  // The same catalogue and time zone as next-intl's request configuration (i18n/request.ts).
  return createTranslator({ locale, messages, timeZone: "UTC" });
}

/** The server-rendered action; connect-loader.ts finds it by `data-connect-island` and reads its configuration. */
function IslandSlot({ island: { html, config } }: { island: Island }) {
  // The trigger's HTML as rendered above: under the Pages Router's development runtime this page is hydrated, and
  // hydrating the trigger would attach a second click handler beside the loader's.
  return <div data-connect-island="" data-config={JSON.stringify(config)} dangerouslySetInnerHTML={{ __html: html }} />;
}

export function LightPage({ locale, messages, title, brand, langHrefs: switcher, staffFooter, view, script }: LightPageProps) {
  const t = translatorOf(locale, messages);
  const footer = staffFooter ? (
    <a href="/login" className={linkClass}>
      {t("shell.staffSignIn")}
    </a>
  ) : undefined;
  return (
    <>
      <Head>
        <title>{title ? `${title} · Partner portal` : "Partner portal"}</title>
        <meta name="description" content="Onboard WhatsApp Business clients through 360dialog and follow every number until it runs." />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {view.kind === "invite-invalid" && view.reason === "not_found" ? <meta name="robots" content="noindex" /> : null}
      </Head>
      <PublicShell brand={brand} lang={locale} langHrefs={switcher ?? undefined} languageLabel={t("shell.languageLabel")} footer={footer}>
        {view.kind === "chooser" ? (
          <>
            <h1 className="text-3xl font-semibold tracking-tight text-slate-900">{t("landing.chooseTitle")}</h1>
            <p className="mt-3 text-slate-700">{t("landing.chooseIntro")}</p>
            <ul className="mt-6 space-y-3">
              {view.hubs.map((h) => (
                <li key={h.href}>
                  <a href={h.href} className={linkClass}>
                    {h.name}
                  </a>
                </li>
              ))}
            </ul>
          </>
        ) : view.kind === "invite-invalid" ? (
          <div role="alert" className="rounded-xl border-2 border-slate-900 bg-white p-6">
            <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{t("join.invalidTitle")}</h1>
            <p className="mt-3 text-slate-700">{t(`join.invalid.${view.reason}` as never)}</p>
            {view.brandName ? <p className="mt-2 text-slate-700">{t("join.askWhom", { brand: view.brandName })}</p> : null}
          </div>
        ) : (
          <LandingView
            brandName={view.brandName}
            t={t}
            action={view.island ? <IslandSlot island={view.island} /> : null}
            permission={view.permission}
            esHref={view.esHref}
            prepared={view.prepared ? <Prepared prefill={view.prepared} t={t} /> : undefined}
          />
        )}
      </PublicShell>
      {script ? (
        // A module script runs after the document is parsed (deferred), which the rule does not know; next/script
        // needs the client runtime these pages go without.
        // eslint-disable-next-line @next/next/no-sync-scripts
        <script type="module" src={script.src} nonce={script.nonce} />
      ) : null}
    </>
  );
}
