import type { Lang } from "./prefill";

// What the client-facing onboarding pages say, in English and German. Client-safe (no server imports): the
// pages pass each client component only the strings it shows, so one language reaches the browser.

export const LANG_NAMES: Record<Lang, string> = { en: "English", de: "Deutsch" };

/** `?lang=` when valid, else the first supported language of `Accept-Language` (by q), else `fallback`. */
export function chooseLang(options: { query?: unknown; preferred?: Lang | null; acceptLanguage?: string | null; fallback: Lang }): Lang {
  if (options.query === "en" || options.query === "de") return options.query;
  if (options.preferred) return options.preferred;
  const ranked = (options.acceptLanguage ?? "")
    .split(",")
    .slice(0, 20)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { base: tag.trim().toLowerCase().split("-")[0] ?? "", q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0 && (entry.base === "en" || entry.base === "de"))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return (ranked[0]?.base as Lang | undefined) ?? options.fallback;
}

/** Meta's Embedded Signup steps (docs/hub-contract.md §7), as a client reads them when they stopped at one. */
const ES_STEPS: Record<string, { en: string; de: string }> = {
  BUSINESS_ACCOUNT_SELECTION: { en: "choosing your business account", de: "Auswahl Ihres Unternehmenskontos" },
  WABA_PHONE_PROFILE_PICKER: { en: "choosing your WhatsApp account and number", de: "Auswahl Ihres WhatsApp-Kontos und Ihrer Nummer" },
  WHATSAPP_BUSINESS_PROFILE_SETUP: { en: "setting up your WhatsApp business profile", de: "Einrichtung Ihres WhatsApp-Unternehmensprofils" },
  PHONE_NUMBER_SETUP: { en: "entering your phone number", de: "Eingabe Ihrer Telefonnummer" },
  PHONE_NUMBER_VERIFICATION: { en: "confirming your phone number", de: "Bestätigung Ihrer Telefonnummer" },
  PERMISSIONS: { en: "granting permissions", de: "Erteilen der Berechtigungen" },
};

export function esStepWords(step: string | undefined, lang: Lang): string {
  const known = step ? ES_STEPS[step] : undefined;
  return known ? known[lang] : lang === "de" ? "einem der Schritte" : "one of the steps";
}

const en = {
  languageLabel: "Language",
  staffSignIn: "Partner staff: sign in",
  landing: {
    eyebrow: "WhatsApp Business API",
    title: "Connect your WhatsApp number",
    intro: "{brand} puts your business on the WhatsApp Business API through 360dialog, WhatsApp's official partner. Setting it up takes about 10 minutes.",
    needsTitle: "What you need",
    needs: [
      "A phone number for your business that can receive an SMS or a phone call (for the confirmation code).",
      "Your business's Facebook (Meta) login and details: legal name, address and website.",
      "About 10 minutes.",
    ],
    stepsTitle: "How it works",
    steps: [
      "Click “Connect WhatsApp”. A window of 360dialog opens.",
      "Create your 360dialog account and sign in with Facebook to choose or create your Meta business.",
      "Enter your phone number and confirm it with the code you receive.",
      "The window closes and you see how far your number is.",
    ],
    inviteOnlyTitle: "Sign-up is by invitation",
    inviteOnly: "Sign-up here is by invitation only. Please ask your provider for your personal invite link and open it.",
    inviteFirstStep: "Open the personal invite link from {brand} and click “Connect WhatsApp” there. A window of 360dialog opens.",
    chooseTitle: "Choose your provider",
    chooseIntro: "Several providers onboard clients here. Choose the one you work with:",
    esLink: "Or connect with your Facebook account directly on this site",
    yourProvider: "Your provider",
  },
  join: {
    preparedTitle: "We prepared this for you",
    preparedIntro: "Your provider filled in these details; you can check them in the 360dialog window.",
    email: "Email",
    name: "Name",
    number: "Phone number",
    permissionTitle: "Give {brand} access to your WhatsApp numbers",
    permissionIntro: "{brand} asks for permission to use your WhatsApp numbers through the API, so it can send and receive messages for you. In the 360dialog window, keep the numbers you allow checked and confirm. Unchecked numbers lose the access.",
    permissionAction: "Review access",
    invalidTitle: "This invite link does not work",
    invalid: {
      not_found: "We do not know this link. Check that you copied all of it, or ask your provider for a new one.",
      expired: "This invite link has expired. Please ask your provider for a new one.",
      revoked: "This invite link is no longer active. Please ask your provider for a new one.",
      used_up: "This invite link has already been used. Please ask your provider for a new one.",
    },
    askWhom: "Your provider: {brand}.",
  },
  connect: {
    action: "Connect WhatsApp",
    opening: "Opening 360dialog…",
    popupOpen: "The 360dialog window is open. Finish the steps there; this page continues by itself when you are done.",
    popupFocused: "The 360dialog window was already open, so we brought it to the front.",
    blocked: "Your browser blocked the 360dialog window. Continue with this link instead:",
    blockedLink: "Continue to 360dialog",
    finishing: "Finishing your sign-up…",
    failed: "We could not start the sign-up. Please try again in a minute.",
  },
  redirect: {
    title: "Finishing your sign-up",
    working: "One moment: we are confirming your sign-up with 360dialog…",
    handedOver: "Done. This window closes by itself; if it does not, you can close it.",
    errorTitle: "We could not finish your sign-up",
    network: "We could not reach this site. Check your internet connection and try again.",
    retry: "Try again",
    nothing: "This page only works at the end of a sign-up with 360dialog. Please start from the link your provider gave you.",
  },
  status: {
    title: "Your WhatsApp setup",
    numbersTitle: "Your numbers",
    noNumbers: "No number is linked to this sign-up yet.",
    todoTitle: "What you still need to do",
    nothingToDo: "Nothing right now. This page updates by itself.",
    since: "since",
    live: { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" },
    notFoundTitle: "This status page does not exist",
    notFound: "The link may be incomplete. Open the link from the end of your sign-up again, or ask your provider.",
    number: "Number",
    noNumber: "Number not known yet",
  },
  es: {
    title: "Connect with Facebook",
    intro: "Sign in with Facebook to connect your WhatsApp Business account to {brand}. A Facebook window guides you through choosing your business, your WhatsApp account and your phone number.",
    action: "Connect with Facebook",
    loading: "Preparing the Facebook sign-in…",
    working: "Connecting your number…",
    cancelled: "You stopped at {step}. You can start again.",
    error: "Facebook reported a problem: {message} You can start again.",
    errorUnknown: "Facebook reported a problem. You can start again.",
    notReady: "Signing up with Facebook is not set up on this site. Please ask your provider for a link.",
    again: "Start again",
  },
};

export type Dictionary = typeof en;

const de: Dictionary = {
  languageLabel: "Sprache",
  staffSignIn: "Mitarbeitende des Partners: anmelden",
  landing: {
    eyebrow: "WhatsApp Business API",
    title: "Verbinden Sie Ihre WhatsApp-Nummer",
    intro: "{brand} bringt Ihr Unternehmen über 360dialog, den offiziellen Partner von WhatsApp, auf die WhatsApp Business API. Die Einrichtung dauert etwa 10 Minuten.",
    needsTitle: "Was Sie brauchen",
    needs: [
      "Eine Telefonnummer Ihres Unternehmens, die eine SMS oder einen Anruf empfangen kann (für den Bestätigungscode).",
      "Den Facebook-(Meta-)Zugang und die Angaben Ihres Unternehmens: Firmenname, Adresse und Website.",
      "Etwa 10 Minuten.",
    ],
    stepsTitle: "So funktioniert es",
    steps: [
      "Klicken Sie auf „WhatsApp verbinden“. Ein Fenster von 360dialog öffnet sich.",
      "Legen Sie Ihr 360dialog-Konto an und melden Sie sich mit Facebook an, um Ihr Meta-Unternehmen auszuwählen oder anzulegen.",
      "Geben Sie Ihre Telefonnummer ein und bestätigen Sie sie mit dem Code, den Sie erhalten.",
      "Das Fenster schließt sich und Sie sehen, wie weit Ihre Nummer ist.",
    ],
    inviteOnlyTitle: "Anmeldung nur mit Einladung",
    inviteOnly: "Die Anmeldung ist hier nur mit Einladung möglich. Bitte fragen Sie Ihren Anbieter nach Ihrem persönlichen Einladungslink und öffnen Sie ihn.",
    inviteFirstStep: "Öffnen Sie den persönlichen Einladungslink von {brand} und klicken Sie dort auf „WhatsApp verbinden“. Ein Fenster von 360dialog öffnet sich.",
    chooseTitle: "Wählen Sie Ihren Anbieter",
    chooseIntro: "Hier melden sich Kunden mehrerer Anbieter an. Wählen Sie den, mit dem Sie arbeiten:",
    esLink: "Oder verbinden Sie sich direkt hier mit Ihrem Facebook-Konto",
    yourProvider: "Ihr Anbieter",
  },
  join: {
    preparedTitle: "Das haben wir für Sie vorbereitet",
    preparedIntro: "Ihr Anbieter hat diese Angaben eingetragen; Sie können sie im 360dialog-Fenster prüfen.",
    email: "E-Mail",
    name: "Name",
    number: "Telefonnummer",
    permissionTitle: "Geben Sie {brand} Zugriff auf Ihre WhatsApp-Nummern",
    permissionIntro: "{brand} bittet um die Erlaubnis, Ihre WhatsApp-Nummern über die API zu nutzen, um für Sie Nachrichten zu senden und zu empfangen. Lassen Sie im 360dialog-Fenster die Nummern angehakt, die Sie freigeben, und bestätigen Sie. Nicht angehakte Nummern verlieren den Zugriff.",
    permissionAction: "Zugriff prüfen",
    invalidTitle: "Dieser Einladungslink funktioniert nicht",
    invalid: {
      not_found: "Wir kennen diesen Link nicht. Prüfen Sie, ob Sie ihn vollständig kopiert haben, oder fragen Sie Ihren Anbieter nach einem neuen.",
      expired: "Dieser Einladungslink ist abgelaufen. Bitte fragen Sie Ihren Anbieter nach einem neuen.",
      revoked: "Dieser Einladungslink ist nicht mehr aktiv. Bitte fragen Sie Ihren Anbieter nach einem neuen.",
      used_up: "Dieser Einladungslink wurde bereits verwendet. Bitte fragen Sie Ihren Anbieter nach einem neuen.",
    },
    askWhom: "Ihr Anbieter: {brand}.",
  },
  connect: {
    action: "WhatsApp verbinden",
    opening: "360dialog wird geöffnet…",
    popupOpen: "Das 360dialog-Fenster ist geöffnet. Schließen Sie die Schritte dort ab; diese Seite macht danach von selbst weiter.",
    popupFocused: "Das 360dialog-Fenster war schon geöffnet, wir haben es nach vorne geholt.",
    blocked: "Ihr Browser hat das 360dialog-Fenster blockiert. Fahren Sie stattdessen mit diesem Link fort:",
    blockedLink: "Weiter zu 360dialog",
    finishing: "Ihre Anmeldung wird abgeschlossen…",
    failed: "Die Anmeldung konnte nicht gestartet werden. Bitte versuchen Sie es in einer Minute erneut.",
  },
  redirect: {
    title: "Ihre Anmeldung wird abgeschlossen",
    working: "Einen Moment: Wir bestätigen Ihre Anmeldung bei 360dialog…",
    handedOver: "Fertig. Dieses Fenster schließt sich von selbst; falls nicht, können Sie es schließen.",
    errorTitle: "Ihre Anmeldung konnte nicht abgeschlossen werden",
    network: "Wir konnten diese Seite nicht erreichen. Prüfen Sie Ihre Internetverbindung und versuchen Sie es erneut.",
    retry: "Erneut versuchen",
    nothing: "Diese Seite funktioniert nur am Ende einer Anmeldung bei 360dialog. Bitte beginnen Sie über den Link Ihres Anbieters.",
  },
  status: {
    title: "Ihre WhatsApp-Einrichtung",
    numbersTitle: "Ihre Nummern",
    noNumbers: "Mit dieser Anmeldung ist noch keine Nummer verknüpft.",
    todoTitle: "Was Sie noch tun müssen",
    nothingToDo: "Im Moment nichts. Diese Seite aktualisiert sich von selbst.",
    since: "seit",
    live: { connecting: "Verbinde…", live: "Live", reconnecting: "Verbindung wird wiederhergestellt…" },
    notFoundTitle: "Diese Statusseite gibt es nicht",
    notFound: "Der Link ist vielleicht unvollständig. Öffnen Sie den Link vom Ende Ihrer Anmeldung erneut oder fragen Sie Ihren Anbieter.",
    number: "Nummer",
    noNumber: "Nummer noch nicht bekannt",
  },
  es: {
    title: "Mit Facebook verbinden",
    intro: "Melden Sie sich mit Facebook an, um Ihr WhatsApp-Business-Konto mit {brand} zu verbinden. Ein Facebook-Fenster führt Sie durch die Auswahl Ihres Unternehmens, Ihres WhatsApp-Kontos und Ihrer Telefonnummer.",
    action: "Mit Facebook verbinden",
    loading: "Die Facebook-Anmeldung wird vorbereitet…",
    working: "Ihre Nummer wird verbunden…",
    cancelled: "Sie haben bei „{step}“ aufgehört. Sie können erneut beginnen.",
    error: "Facebook hat ein Problem gemeldet: {message} Sie können erneut beginnen.",
    errorUnknown: "Facebook hat ein Problem gemeldet. Sie können erneut beginnen.",
    notReady: "Die Anmeldung mit Facebook ist auf dieser Seite nicht eingerichtet. Bitte fragen Sie Ihren Anbieter nach einem Link.",
    again: "Erneut beginnen",
  },
};

const dictionaries: Record<Lang, Dictionary> = { en, de };

/** Fills `{name}` placeholders; the values are shown as text, never parsed as markup. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

export function dictionary(lang: Lang): Dictionary {
  return dictionaries[lang];
}
