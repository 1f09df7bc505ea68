import { AppError, statusOfCode, type ErrorCode, type ErrorKind } from "../errors";

// What the client is told when onboarding refuses, in English and German, keyed by error code: the typed refusals
// of the redirect and Embedded Signup handlers, and the start refusals a client can meet. Never the query, the
// state or an upstream detail. Client-safe: the onboarding pages pick the words by the `code` of an error answer.

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

const table: Record<OnboardingFailureCode, [ErrorKind, string, string]> = {
  bad_query: ["invalid", `The answer from 360dialog could not be read, so nothing was linked. ${START_AGAIN_EN}`, `Die Antwort von 360dialog war nicht lesbar, daher wurde nichts verknüpft. ${START_AGAIN_DE}`],
  bad_event: ["invalid", "The message from the sign-up window could not be read. Please try again.", "Die Nachricht aus dem Anmeldefenster war nicht lesbar. Bitte versuchen Sie es erneut."],
  // 360dialog does not promise to echo `state` (docs/onboarding-redirect.md): a redirect without it is completed
  // for the browser's own open sign-up. This is the answer when that browser has none.
  state_missing: [
    "invalid",
    "We could not find a sign-up started in this browser, so nothing was linked here. Your number is still being set up with 360dialog and your provider can see it. To follow its progress here, start again from your provider's link in this browser.",
    "Wir konnten keine in diesem Browser begonnene Anmeldung finden, daher wurde hier nichts verknüpft. Ihre Nummer wird bei 360dialog trotzdem eingerichtet und Ihr Anbieter sieht sie. Um den Fortschritt hier zu verfolgen, beginnen Sie erneut über den Link Ihres Anbieters in diesem Browser.",
  ],
  state_unknown: ["forbidden", `We could not find the sign-up this page belongs to, so nothing was linked. ${START_AGAIN_EN}`, `Wir konnten die Anmeldung zu dieser Seite nicht finden, daher wurde nichts verknüpft. ${START_AGAIN_DE}`],
  state_reused: ["conflict", "This sign-up has already been completed once, so nothing more was linked. Open your status page to see your numbers.", "Diese Anmeldung wurde bereits abgeschlossen, daher wurde nichts weiter verknüpft. Öffnen Sie Ihre Statusseite, um Ihre Nummern zu sehen."],
  state_expired: ["gone", `This sign-up was started more than an hour ago and has expired. ${START_AGAIN_EN}`, `Diese Anmeldung wurde vor über einer Stunde begonnen und ist abgelaufen. ${START_AGAIN_DE}`],
  state_foreign_browser: [
    "forbidden",
    "This sign-up was started in a different browser, so nothing was linked. Please finish it in the browser where you started, or start again here.",
    "Diese Anmeldung wurde in einem anderen Browser begonnen, daher wurde nichts verknüpft. Bitte schließen Sie sie in dem Browser ab, in dem Sie begonnen haben, oder beginnen Sie hier erneut.",
  ],
  client_not_ours: ["forbidden", "360dialog did not confirm this account for your provider, so nothing was linked. Please contact your provider.", "360dialog hat dieses Konto für Ihren Anbieter nicht bestätigt, daher wurde nichts verknüpft. Bitte wenden Sie sich an Ihren Anbieter."],
  channel_not_ours: ["forbidden", "360dialog did not confirm these numbers for your account, so nothing was linked. Please contact your provider.", "360dialog hat diese Nummern für Ihr Konto nicht bestätigt, daher wurde nichts verknüpft. Bitte wenden Sie sich an Ihren Anbieter."],
  client_not_expected: [
    "forbidden",
    "360dialog does not show an account or number created in this sign-up, so nothing was linked. If you just finished, please contact your provider.",
    "360dialog zeigt kein Konto und keine Nummer, die in dieser Anmeldung erstellt wurden, daher wurde nichts verknüpft. Wenn Sie gerade fertig geworden sind, wenden Sie sich bitte an Ihren Anbieter.",
  ],
  hub_unavailable: ["unavailable", "We could not reach 360dialog to confirm your number. Please try again in a minute.", "Wir konnten 360dialog nicht erreichen, um Ihre Nummer zu bestätigen. Bitte versuchen Sie es in einer Minute erneut."],
  onboarding_failed: ["upstream", "360dialog could not finish connecting your number. Please try again, or contact your provider.", "360dialog konnte Ihre Nummer nicht fertig verbinden. Bitte versuchen Sie es erneut oder wenden Sie sich an Ihren Anbieter."],
};

/** The error code a failure is answered with: its kind (so its status) and its own name. */
function errorCodeOf(code: OnboardingFailureCode): ErrorCode {
  return `${table[code][0]}:${code}`;
}

/** Start refusals a client can meet (lib/onboarding/authorise.ts, sessions.ts, connect-url.ts). */
const startRefusals = {
  "forbidden:onboarding": {
    en: "Sign-up is by invitation only. Please ask your provider for an invite link.",
    de: "Die Anmeldung ist nur mit Einladung möglich. Bitte fragen Sie Ihren Anbieter nach einem Einladungslink.",
  },
  "forbidden:invite": {
    en: "This invite link is not valid. Please ask your provider for a new one.",
    de: "Dieser Einladungslink ist ungültig. Bitte fragen Sie Ihren Anbieter nach einem neuen.",
  },
  "forbidden:invite_expired": {
    en: "This invite link has expired. Please ask your provider for a new one.",
    de: "Dieser Einladungslink ist abgelaufen. Bitte fragen Sie Ihren Anbieter nach einem neuen.",
  },
  "forbidden:invite_revoked": {
    en: "This invite link is no longer active. Please ask your provider for a new one.",
    de: "Dieser Einladungslink ist nicht mehr aktiv. Bitte fragen Sie Ihren Anbieter nach einem neuen.",
  },
  "forbidden:invite_used_up": {
    en: "This invite link has already been used. Please ask your provider for a new one.",
    de: "Dieser Einladungslink wurde bereits verwendet. Bitte fragen Sie Ihren Anbieter nach einem neuen.",
  },
  "throttled:onboarding": {
    en: "Too many attempts from your network. Please wait a few minutes and try again.",
    de: "Zu viele Versuche aus Ihrem Netzwerk. Bitte warten Sie einige Minuten und versuchen Sie es erneut.",
  },
  "throttled:onboarding_reopen": {
    en: "You started this sign-up many times in a row. Please wait a few minutes and try again.",
    de: "Sie haben diese Anmeldung viele Male hintereinander gestartet. Bitte warten Sie einige Minuten und versuchen Sie es erneut.",
  },
  "throttled:io_signature": {
    en: "Many sign-ups are starting right now. Please try again in a minute.",
    de: "Gerade beginnen sehr viele Anmeldungen. Bitte versuchen Sie es in einer Minute erneut.",
  },
  "unavailable:embedded_signup": {
    en: "Signing up with Facebook is not set up by your provider yet.",
    de: "Die Anmeldung mit Facebook ist bei Ihrem Anbieter noch nicht eingerichtet.",
  },
  "unavailable:io_signature": {
    en: "Onboarding is not fully set up by your provider yet. Please try again later.",
    de: "Die Anmeldung ist bei Ihrem Anbieter noch nicht vollständig eingerichtet. Bitte versuchen Sie es später erneut.",
  },
} as const satisfies Record<string, Words>;

export type StartRefusalCode = keyof typeof startRefusals;

const wordsByCode: ReadonlyMap<string, Words> = new Map<string, Words>([
  ...Object.entries(startRefusals),
  ...(Object.keys(table) as OnboardingFailureCode[]).map((code): [string, Words] => [errorCodeOf(code), { en: table[code][1], de: table[code][2] }]),
]);

/** The client's words for an error answer's `code`, when it is one a client can meet. */
export function onboardingErrorWords(code: unknown): Words | undefined {
  return typeof code === "string" ? wordsByCode.get(code) : undefined;
}

export function failure(code: OnboardingFailureCode): OnboardingFailure {
  const [kind, en, de] = table[code];
  return { code, status: statusOfCode(kind), message: { en, de } };
}

/** A failure as the error the route answers with (its English words as the public message). */
export function failureError(failure: OnboardingFailure): AppError {
  return new AppError(errorCodeOf(failure.code), failure.message.en);
}

/** A start refusal, thrown with its English words; the client shows the German ones by its code. */
export function startRefusal(code: StartRefusalCode): AppError {
  return new AppError(code, startRefusals[code].en);
}
