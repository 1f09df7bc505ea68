import type { InviteState } from "../onboarding/authorise";
import type { Prefill } from "../onboarding/prefill";
import { LOCALE_NAMES, isLocale } from "../i18n/locales";

// Plain words for what staff read about invites and their onboarding sessions. Stored codes stay out of sight
// unless nothing better is known, and then they are shown as text, never markup.

export const INVITE_STATE_WORDS: Record<InviteState, { words: string; tone: "green" | "slate" | "red" | "amber" }> = {
  valid: { words: "Active", tone: "green" },
  expired: { words: "Expired", tone: "slate" },
  revoked: { words: "Revoked", tone: "red" },
  used_up: { words: "Used up", tone: "amber" },
};

export function purposeWords(purpose: string): string {
  return purpose === "permission" ? "Permission request" : "New number";
}

export function usesWords(useCount: number, maxUses: number | null): string {
  return maxUses === null ? `${useCount} (no limit)` : `${useCount} of ${maxUses}`;
}

const STEP_WORDS: Record<string, string> = {
  link_opened: "Link opened",
  landing_viewed: "Landing page viewed",
  session_started: "Onboarding started",
  popup_opened: "Popup opened",
  popup_blocked: "Popup blocked by the browser",
  redirect_received: "Redirect received",
  client_confirmed: "Client confirmed",
  channel_created: "Channel created",
  channel_running: "Channel running",
  es_finish: "Embedded Signup finished",
  es_cancel: "Embedded Signup cancelled",
  es_error: "Embedded Signup failed",
  key_stored: "API key stored",
};

const METHOD_WORDS: Record<string, string> = {
  connect_button: "Connect Button",
  popup: "Portal popup",
  direct_link: "Direct link",
  embedded_signup: "Embedded Signup",
  permission: "Permission screen",
};

const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : null);

/** One funnel step in words, with what its detail adds (ids and step names only: detail holds no personal data). */
export function funnelStepWords(kind: string, detail: Record<string, unknown> | null): string {
  const base = STEP_WORDS[kind] ?? `Step ${kind}`;
  const d = detail ?? {};
  const method = text(d.method);
  const channel = text(d.channelId);
  switch (kind) {
    case "link_opened": {
      const state = text(d.state);
      return state && state !== "valid" ? `${base} (the link was ${state === "used_up" ? "used up" : state} then)` : base;
    }
    case "session_started":
    case "popup_opened":
      return method ? `${base} (${METHOD_WORDS[method] ?? method})` : base;
    case "redirect_received": {
      const count = typeof d.channels === "number" ? d.channels : null;
      return count === null ? base : `${base} (${count} ${count === 1 ? "number" : "numbers"})`;
    }
    case "channel_created":
    case "channel_running":
    case "key_stored":
      return channel ? `${base}: ${channel}` : base;
    case "es_cancel": {
      const step = text(d.currentStep);
      return step ? `${base} at step ${step}` : base;
    }
    case "es_error": {
      const message = text(d.message);
      return message ? `${base}: ${message}` : base;
    }
    default:
      return base;
  }
}

export function sessionMethodWords(method: string): string {
  return METHOD_WORDS[method] ?? method;
}

const STATUS_WORDS: Record<string, string> = {
  started: "Started: waiting for the client to finish in the 360dialog window",
  redirected: "Redirect received: confirming the numbers with 360dialog",
  completed: "Completed: client and numbers linked",
  failed: "Failed: nothing was linked",
  cancelled: "Cancelled by the client",
  expired: "Expired before the client finished",
};

export function sessionStatusWords(session: { status: string; expiresAt: Date; consumedAt: Date | null }, now = new Date()): string {
  // A started session nobody came back to is only marked expired when a late redirect arrives: say so earlier.
  if (session.status === "started" && !session.consumedAt && session.expiresAt <= now) return STATUS_WORDS.expired!;
  return STATUS_WORDS[session.status] ?? session.status;
}

const ERROR_WORDS: Record<string, string> = {
  hub_unavailable: "360dialog could not be reached to confirm the numbers; the client's browser may retry.",
  client_not_ours: "360dialog did not confirm the client as one of yours, so nothing was linked.",
  channel_not_ours: "360dialog did not confirm the numbers as the client's, so nothing was linked.",
  client_not_expected: "360dialog shows no account or number created since this sign-up started (the redirect named an older one), so nothing was linked.",
  "embedded signup: onboarding failed": "360dialog could not onboard the shared WhatsApp account; the client may try again.",
};

/** The stored error of a session in plain words, or null. */
export function sessionErrorWords(error: string | null): string | null {
  if (!error) return null;
  if (ERROR_WORDS[error]) return ERROR_WORDS[error];
  const cancelled = /^cancelled at (.+)$/.exec(error);
  if (cancelled) return `The client closed Meta's signup at step ${cancelled[1]}.`;
  const metaError = /^embedded signup error: (.*)$/s.exec(error);
  if (metaError) return `Meta's signup reported an error${metaError[1] ? `: ${metaError[1]}` : "."}`;
  return error;
}

const PREFILL_LABELS: [keyof Prefill, string][] = [
  ["name", "Name"],
  ["email", "Email"],
  ["number", "Phone number"],
  ["planSelection", "Plan"],
  ["partnerPayload", "Partner payload / CRM id"],
  ["lang", "Language"],
  ["clientId", "360dialog client ID"],
];


export function readablePrefill(prefill: Prefill): [string, string][] {
  return PREFILL_LABELS.flatMap(([key, label]) => {
    const value = prefill[key];
    if (!value) return [];
    return [[label, key === "lang" && isLocale(value) ? LOCALE_NAMES[value] : value] as [string, string]];
  });
}

/** One line for the list: who the invite is for and what it carries. */
export function prefillSummary(prefill: Prefill): string {
  const parts = [prefill.name, prefill.email, prefill.number, prefill.planSelection ? `plan ${prefill.planSelection}` : undefined, prefill.partnerPayload ? `CRM ${prefill.partnerPayload}` : undefined, prefill.lang ? LOCALE_NAMES[prefill.lang] : undefined];
  return parts.filter(Boolean).join(" · ");
}
