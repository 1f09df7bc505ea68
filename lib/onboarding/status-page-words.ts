import { isRunning } from "../hub/events";

// What a client reads about each number on the status page: a few states, each in plain words in the message
// catalogues (`status.state.*`, `status.meaning.*`, docs/i18n.md §4).

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

/**
 * What the status page says a number's state means: the message key under `status.meaning` (messages/*.json).
 * A restriction says which kind when Meta named it; a requested cancellation says until when, when 360dialog said.
 */
export type MeaningKey = StatusKey | "restricted_violation" | "restricted_limit" | "cancellation_requested_until";

export type SessionStatus = "started" | "redirected" | "completed" | "failed" | "cancelled" | "expired";

/** Every digit but the last four hidden; `+`, spaces and dashes kept so the shape stays recognisable. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const total = (phone.match(/[0-9]/g) ?? []).length;
  let seen = 0;
  return phone.replace(/[0-9]/g, (d) => (++seen > total - 4 ? d : "•"));
}
