// Typed refusals of the redirect and Embedded Signup handlers: each has an HTTP status for the route and plain
// words for the client in English and German. Never the query, the state or an upstream detail.

export type OnboardingFailureCode =
  | "bad_query"
  | "bad_event"
  | "state_missing"
  | "state_unknown"
  | "state_reused"
  | "state_expired"
  | "state_foreign_browser"
  | "client_not_ours"
  | "channel_not_ours"
  | "client_not_expected"
  | "hub_unavailable"
  | "onboarding_failed";

export type Words = { en: string; de: string };
export type OnboardingFailure = { code: OnboardingFailureCode; status: number; message: Words };

const START_AGAIN_EN = "Please start again from the link your provider gave you.";
const START_AGAIN_DE = "Bitte beginnen Sie erneut über den Link, den Sie von Ihrem Anbieter erhalten haben.";

const table: Record<OnboardingFailureCode, [number, string, string]> = {
  bad_query: [400, `The answer from 360dialog could not be read, so nothing was linked. ${START_AGAIN_EN}`, `Die Antwort von 360dialog war nicht lesbar, daher wurde nichts verknüpft. ${START_AGAIN_DE}`],
  bad_event: [400, "The message from the sign-up window could not be read. Please try again.", "Die Nachricht aus dem Anmeldefenster war nicht lesbar. Bitte versuchen Sie es erneut."],
  // 360dialog does not promise to echo `state` (docs/onboarding-redirect.md): a redirect without it is completed
  // for the browser's own open sign-up. This is the answer when that browser has none.
  state_missing: [
    400,
    "We could not find a sign-up started in this browser, so nothing was linked here. Your number is still being set up with 360dialog and your provider can see it. To follow its progress here, start again from your provider's link in this browser.",
    "Wir konnten keine in diesem Browser begonnene Anmeldung finden, daher wurde hier nichts verknüpft. Ihre Nummer wird bei 360dialog trotzdem eingerichtet und Ihr Anbieter sieht sie. Um den Fortschritt hier zu verfolgen, beginnen Sie erneut über den Link Ihres Anbieters in diesem Browser.",
  ],
  state_unknown: [403, `We could not find the sign-up this page belongs to, so nothing was linked. ${START_AGAIN_EN}`, `Wir konnten die Anmeldung zu dieser Seite nicht finden, daher wurde nichts verknüpft. ${START_AGAIN_DE}`],
  state_reused: [409, "This sign-up has already been completed once, so nothing more was linked. Open your status page to see your numbers.", "Diese Anmeldung wurde bereits abgeschlossen, daher wurde nichts weiter verknüpft. Öffnen Sie Ihre Statusseite, um Ihre Nummern zu sehen."],
  state_expired: [410, `This sign-up was started more than an hour ago and has expired. ${START_AGAIN_EN}`, `Diese Anmeldung wurde vor über einer Stunde begonnen und ist abgelaufen. ${START_AGAIN_DE}`],
  state_foreign_browser: [
    403,
    "This sign-up was started in a different browser, so nothing was linked. Please finish it in the browser where you started, or start again here.",
    "Diese Anmeldung wurde in einem anderen Browser begonnen, daher wurde nichts verknüpft. Bitte schließen Sie sie in dem Browser ab, in dem Sie begonnen haben, oder beginnen Sie hier erneut.",
  ],
  client_not_ours: [403, "360dialog did not confirm this account for your provider, so nothing was linked. Please contact your provider.", "360dialog hat dieses Konto für Ihren Anbieter nicht bestätigt, daher wurde nichts verknüpft. Bitte wenden Sie sich an Ihren Anbieter."],
  channel_not_ours: [403, "360dialog did not confirm these numbers for your account, so nothing was linked. Please contact your provider.", "360dialog hat diese Nummern für Ihr Konto nicht bestätigt, daher wurde nichts verknüpft. Bitte wenden Sie sich an Ihren Anbieter."],
  client_not_expected: [
    403,
    "360dialog does not show an account or number created in this sign-up, so nothing was linked. If you just finished, please contact your provider.",
    "360dialog zeigt kein Konto und keine Nummer, die in dieser Anmeldung erstellt wurden, daher wurde nichts verknüpft. Wenn Sie gerade fertig geworden sind, wenden Sie sich bitte an Ihren Anbieter.",
  ],
  hub_unavailable: [503, "We could not reach 360dialog to confirm your number. Please try again in a minute.", "Wir konnten 360dialog nicht erreichen, um Ihre Nummer zu bestätigen. Bitte versuchen Sie es in einer Minute erneut."],
  onboarding_failed: [502, "360dialog could not finish connecting your number. Please try again, or contact your provider.", "360dialog konnte Ihre Nummer nicht fertig verbinden. Bitte versuchen Sie es erneut oder wenden Sie sich an Ihren Anbieter."],
};

export function failure(code: OnboardingFailureCode): OnboardingFailure {
  const [status, en, de] = table[code];
  return { code, status, message: { en, de } };
}
