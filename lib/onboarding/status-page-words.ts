import { isRunning } from "../hub/events";
import type { Words } from "./outcomes";

// What a client reads about each number on the status page: a few states in plain words, EN and DE.

export type StatusKey =
  | "created"
  | "in_review"
  | "ready"
  | "running"
  | "ready_to_use"
  | "other"
  | "restricted"
  | "cancellation_requested"
  | "cancelled";

/** The end of a number and a restriction come before its status (docs/channel-lifecycle.md §1–3). */
export type NumberLife = { cancellation?: string | null; restricted?: boolean };

export function statusKeyFor(status: string, hasActiveKey: boolean, life: NumberLife = {}): StatusKey {
  if (life.cancellation === "cancelled") return "cancelled";
  if (life.cancellation === "requested") return "cancellation_requested";
  if (life.restricted) return "restricted";
  if (isRunning({ status })) return hasActiveKey ? "ready_to_use" : "running";
  switch (status.trim().toLowerCase()) {
    case "created":
      return "created";
    case "unverified":
    case "submitted":
    case "verified":
      return "in_review";
    case "ready":
      return "ready";
    default:
      return "other";
  }
}

export const STATUS_WORDS: Record<StatusKey, Words> = {
  created: {
    en: "Created: 360dialog has your number and is preparing it.",
    de: "Angelegt: 360dialog hat Ihre Nummer und bereitet sie vor.",
  },
  in_review: {
    en: "In review: Meta is checking your business and display name. This can take a few hours.",
    de: "In Prüfung: Meta prüft Ihr Unternehmen und Ihren Anzeigenamen. Das kann einige Stunden dauern.",
  },
  ready: {
    en: "Ready: the review is done and the number is being switched on.",
    de: "Bereit: Die Prüfung ist abgeschlossen, die Nummer wird eingeschaltet.",
  },
  running: {
    en: "Running: the number is live on WhatsApp. Your provider is finishing the setup.",
    de: "Aktiv: Die Nummer ist auf WhatsApp live. Ihr Anbieter schließt die Einrichtung ab.",
  },
  ready_to_use: {
    en: "Ready to use: everything is set up.",
    de: "Einsatzbereit: Alles ist eingerichtet.",
  },
  // A status the portal does not know (`error`, anything new): staff see it as needing attention (lib/channels/stuck.ts).
  other: {
    en: "We are looking into it: this number needs a check on our side. Your provider has been told and will get back to you if anything is needed.",
    de: "Wir kümmern uns darum: Diese Nummer muss bei uns geprüft werden. Ihr Anbieter ist informiert und meldet sich, falls etwas nötig ist.",
  },
  restricted: {
    en: "Limited by WhatsApp: Meta has restricted this number. Your provider is looking into it and will tell you what to do.",
    de: "Von WhatsApp eingeschränkt: Meta hat diese Nummer eingeschränkt. Ihr Anbieter kümmert sich darum und sagt Ihnen, was zu tun ist.",
  },
  cancellation_requested: {
    en: "Cancellation requested: this number keeps working until the cancellation takes effect. To keep it, contact your provider before then.",
    de: "Kündigung beantragt: Diese Nummer funktioniert weiter, bis die Kündigung wirksam wird. Wenn Sie sie behalten möchten, wenden Sie sich vorher an Ihren Anbieter.",
  },
  cancelled: {
    en: "Cancelled: this number no longer sends or receives WhatsApp messages through your provider.",
    de: "Gekündigt: Über diese Nummer werden keine WhatsApp-Nachrichten mehr über Ihren Anbieter gesendet oder empfangen.",
  },
};

const DAY = { en: "en-GB", de: "de-DE" } as const;

/** The cancellation words with the day it takes effect, when 360dialog said (`terminated_at`). */
export function cancellationRequestedWords(terminatesAt: Date | null): Words {
  if (!terminatesAt) return STATUS_WORDS.cancellation_requested;
  const day = (lang: keyof typeof DAY) => new Intl.DateTimeFormat(DAY[lang], { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(terminatesAt);
  return {
    en: `Cancellation requested: this number keeps working until ${day("en")}. To keep it, contact your provider before then.`,
    de: `Kündigung beantragt: Diese Nummer funktioniert bis zum ${day("de")}. Wenn Sie sie behalten möchten, wenden Sie sich vorher an Ihren Anbieter.`,
  };
}

export const GRANT_ACCESS_TODO: Words = {
  en: "Grant your provider access to this number: open the link from your provider again and allow access.",
  de: "Geben Sie Ihrem Anbieter Zugriff auf diese Nummer: Öffnen Sie den Link Ihres Anbieters erneut und erlauben Sie den Zugriff.",
};

export const SESSION_WORDS: Record<"started" | "redirected" | "completed" | "failed" | "cancelled" | "expired", Words> = {
  started: { en: "Waiting for you to finish the steps in the 360dialog window.", de: "Wir warten, bis Sie die Schritte im 360dialog-Fenster abgeschlossen haben." },
  redirected: { en: "We are confirming your number with 360dialog.", de: "Wir bestätigen Ihre Nummer bei 360dialog." },
  completed: { en: "Your sign-up is complete. Here is where each number stands.", de: "Ihre Anmeldung ist abgeschlossen. Hier sehen Sie den Stand jeder Nummer." },
  failed: { en: "This sign-up could not be completed. Please contact your provider.", de: "Diese Anmeldung konnte nicht abgeschlossen werden. Bitte wenden Sie sich an Ihren Anbieter." },
  cancelled: { en: "This sign-up was cancelled. You can start again from your provider's link.", de: "Diese Anmeldung wurde abgebrochen. Sie können über den Link Ihres Anbieters erneut beginnen." },
  expired: { en: "This sign-up has expired. You can start again from your provider's link.", de: "Diese Anmeldung ist abgelaufen. Sie können über den Link Ihres Anbieters erneut beginnen." },
};

/** Every digit but the last four hidden; `+`, spaces and dashes kept so the shape stays recognisable. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const total = (phone.match(/[0-9]/g) ?? []).length;
  let seen = 0;
  return phone.replace(/[0-9]/g, (d) => (++seen > total - 4 ? d : "•"));
}
