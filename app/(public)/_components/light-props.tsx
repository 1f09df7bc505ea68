import type { IncomingMessage, ServerResponse } from "node:http";
import type { GetServerSidePropsResult } from "next";
import { renderToStaticMarkup } from "react-dom/server";
import { catalogues, type Messages } from "@/i18n/catalogues";
import { LOCALE_COOKIE, chooseLocale, type LocaleInputs, type Locale } from "@/lib/i18n/locales";
import type { LightPageData } from "@/lib/onboarding/light-data";
import { processSlots } from "@/lib/process-slots";
import { ConnectTrigger, type ConnectConfig } from "./connect-trigger";
import { connectStrings, langHrefs, type T } from "./intl-strings";
import { lightManifest } from "./light-manifest";
import { translatorOf, type Island, type LightPageProps } from "./light-page";

// `/` and `/join/<token>` as light pages (docs/nextjs.md §2): Pages Router pages (pages/index.tsx,
// pages/join/[token].tsx) with Next's client runtime switched off, so a client's first load is the HTML, the CSS
// and one small script (connect-loader.ts). Their getServerSideProps: what they show is decided with the same rules
// as before (lib/onboarding/light-load.ts, reached through a process slot: Next.js refuses `server-only` modules in
// a Pages Router page) and translated with the same catalogues; the action is rendered to HTML here and comes
// alive on the click. The pages import this module from getServerSideProps only, so Next leaves it out of their
// browser bundle. When 360dialog brings the popup back to these addresses with its query, proxy.ts hands the
// request to the App Router's redirect page instead (the hand-off needs React at once).

type Request = IncomingMessage & { cookies: Partial<Record<string, string>> };
type Query = Partial<Record<string, string | string[]>>;

function data(): LightPageData {
  const slot = processSlots.lightPages;
  if (!slot) throw new Error("The light pages' data is not installed: lib/boot.ts (instrumentation.ts) must run first.");
  return slot;
}

function requestLocale(req: Request, inputs: Omit<LocaleInputs, "cookie" | "acceptLanguage">): Locale {
  return chooseLocale({ ...inputs, cookie: req.cookies[LOCALE_COOKIE], acceptLanguage: req.headers["accept-language"] ?? null });
}

async function translator(locale: Locale): Promise<{ messages: Messages; t: T }> {
  const messages = (await catalogues[locale]()).default;
  return { messages, t: translatorOf(locale, messages) };
}

function scriptFor(req: Request): { src: string; nonce: string } {
  const nonce = req.headers["x-nonce"];
  if (typeof nonce !== "string" || !nonce) throw new Error("No CSP nonce on the request: proxy.ts must run before the light pages.");
  return { src: lightManifest().loader, nonce };
}

function island(config: Omit<ConnectConfig, "strings">, t: T, label?: string): Island {
  const full: ConnectConfig = { ...config, strings: connectStrings(t, label) };
  return { html: renderToStaticMarkup(<ConnectTrigger config={full} />), config: full };
}

function one(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** `/`: the client landing page of the hub with open sign-up, a chooser between several, or the invite-only notice. */
export async function landingProps(req: Request, query: Query): Promise<GetServerSidePropsResult<LightPageProps>> {
  const found = await data().landing({ requestedHub: one(query.hub) });
  if (found.kind === "setup") return { redirect: { destination: "/setup", permanent: false } };
  const { brand, hub } = found;
  const locale = requestLocale(req, { query: query.lang, partnerDefault: found.partnerDefault });
  const { messages, t } = await translator(locale);
  const hubQuery = found.requestedShown ? `&hub=${encodeURIComponent(found.requestedShown)}` : "";
  const common = { locale, messages, title: t("titles.landing"), brand, langHrefs: langHrefs("/", hubQuery), staffFooter: true };

  if (found.kind === "chooser") {
    const hubs = found.choices.map((h) => ({ href: `/?hub=${encodeURIComponent(h.id)}&lang=${encodeURIComponent(locale)}`, name: h.name }));
    return { props: { ...common, view: { kind: "chooser", hubs }, script: null } };
  }
  const action = hub ? island({ trigger: hub.trigger, start: { hubId: hub.id, returnPath: "/" }, lang: locale, reportLandingWithSession: true }, t) : null;
  const esHref = hub?.embeddedSignupReady ? `/onboarding/embedded-signup?hub=${encodeURIComponent(hub.id)}&lang=${encodeURIComponent(locale)}` : null;
  return {
    props: {
      ...common,
      view: { kind: "landing", brandName: brand.name || t("landing.yourProvider"), island: action, esHref, permission: false, prepared: null },
      script: action ? scriptFor(req) : null,
    },
  };
}

/** `/join/<token>`: an invite's landing page, its invalid state, or a 404 in the partner's brand. */
export async function joinProps(req: Request, res: ServerResponse, token: string, query: Query): Promise<GetServerSidePropsResult<LightPageProps>> {
  const slot = data();
  const found = await slot.join({ token, browserBinding: req.cookies[slot.browserBindingCookie()] });
  const { brand } = found;
  if (found.kind === "unknown") {
    // A link nobody issued is answered 404, in the brand of the portal's partner when it has one.
    res.statusCode = 404;
    const locale = requestLocale(req, { partnerDefault: found.partnerDefault });
    const { messages } = await translator(locale);
    return {
      props: { locale, messages, title: null, brand, langHrefs: null, staffFooter: false, view: { kind: "invite-invalid", reason: "not_found", brandName: brand.name }, script: null },
    };
  }

  const locale = requestLocale(req, { query: query.lang, preferred: found.preferredLang, partnerDefault: found.partnerDefault });
  const { messages, t } = await translator(locale);
  const common = { locale, messages, title: t("titles.landing"), brand, langHrefs: langHrefs(`/join/${token}`), staffFooter: false };
  if (found.refusal) return { props: { ...common, view: { kind: "invite-invalid", reason: found.refusal, brandName: brand.name }, script: null } };

  const action = island(
    { trigger: found.trigger, start: { inviteToken: token, returnPath: `/join/${token}` }, lang: locale, reportLandingWithSession: false, reportInviteLanding: token },
    t,
    found.permission ? t("join.permissionAction") : undefined,
  );
  const esHref =
    !found.permission && found.state === "valid" && found.embeddedSignupReady ? `/onboarding/embedded-signup?invite=${encodeURIComponent(token)}&lang=${encodeURIComponent(locale)}` : null;
  return {
    props: {
      ...common,
      view: { kind: "landing", brandName: brand.name, island: action, esHref, permission: found.permission, prepared: found.prepared },
      script: scriptFor(req),
    },
  };
}

