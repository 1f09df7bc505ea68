import type { Locale } from "@/lib/i18n/locales";
import type { Trigger } from "@/lib/onboarding/light-data";
import { ConnectButtonTrigger } from "./connect-button-trigger";
import { PopupTrigger } from "./popup-trigger";
import type { ConnectStrings } from "./popup-window";
import { primaryButtonClass } from "./public-shell";

// The one action of `/` and `/join/<token>`, as plain data: the light pages render its first HTML on the server
// (light-pages.tsx) and mount it in the browser only when it is clicked (connect-loader.ts, connect-island.tsx).

export type StartContext = { hubId?: string; inviteToken?: string; returnPath: "/" | `/join/${string}` };

export type ConnectConfig = {
  trigger: Trigger;
  start: StartContext;
  lang: Locale;
  strings: ConnectStrings;
  /** Record `landing_viewed` with the first session (a page without an invite has nothing else to tie it to). */
  reportLandingWithSession: boolean;
  /** Record `landing_viewed` of this invite when the page is shown (connect-loader.ts). */
  reportInviteLanding?: string;
};

export function ConnectTrigger({ config, opened }: { config: ConnectConfig; opened?: { popup: Window | null } }) {
  const { trigger, start, lang, strings, reportLandingWithSession } = config;
  if (trigger === "connect_button") {
    return <ConnectButtonTrigger start={start} lang={lang} buttonClass={primaryButtonClass} reportLanding={reportLandingWithSession} t={strings} opened={opened} />;
  }
  const { returnPath: _unused, ...popupStart } = start;
  return (
    <PopupTrigger
      start={popupStart}
      lang={lang}
      label={strings.action}
      buttonClass={primaryButtonClass}
      reportLandingWithSession={reportLandingWithSession}
      t={strings}
      opened={opened}
    />
  );
}
