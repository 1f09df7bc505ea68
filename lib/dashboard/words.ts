// Plain words for what staff read on the dashboard. 360dialog's own strings stay visible beside them.

const statusWords: Record<string, string> = {
  created: "Created",
  unverified: "In review (name)",
  submitted: "Submitted to Meta",
  verified: "Name verified",
  ready: "Ready to register",
  running: "Running",
  live: "Running (live)",
  error: "Error at 360dialog",
};

export function channelStatusWords(status: string): string {
  return statusWords[status] ?? `Other: ${status}`;
}

/** The end of a number, beside its status (docs/channel-lifecycle.md §1); null while it lives. */
export function cancellationWords(cancellation: string | null, terminatesAt: Date | null, formatted: (d: Date) => string): string | null {
  if (cancellation === "cancelled") return "Cancelled";
  if (cancellation === "requested") return terminatesAt ? `Cancellation requested (ends ${formatted(terminatesAt)} UTC)` : "Cancellation requested";
  return null;
}

/** The channel list's filter values beyond 360dialog's statuses: the end of life, quality and limit. */
export const CANCELLATION_FILTERS = [
  { value: "cancellation_requested", label: "Cancellation requested" },
  { value: "cancelled", label: "Cancelled" },
] as const;
export const QUALITY_RATINGS = ["GREEN", "YELLOW", "RED", "UNKNOWN"] as const;
export const MESSAGING_LIMITS = ["TIER_50", "TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED"] as const;

export function channelStatusTone(rank: number, restricted: boolean): "slate" | "green" | "amber" | "red" | "blue" {
  if (restricted) return "red";
  if (rank >= 50) return "green";
  if (rank >= 20) return "blue";
  return "amber";
}

export function keyWords(status: string | null, last4: string | null): string {
  if (status === "active") return `Stored ••••${last4 ?? ""}`;
  if (status === "pending") return "Being generated";
  if (status === "failing") return "Failing, will retry";
  if (status === "failed") return "Failed";
  if (status === "revoked") return "Revoked";
  return "None";
}

export const WEBHOOK_EVENT_NAMES = [
  "client_created",
  "channel_created",
  "channel_submitted",
  "channel_ready",
  "channel_running",
  "channel_live",
  "channel_permission_granted",
  "account_violation",
  "account_restriction",
  "cancellation_request",
  "cancellation_revoke",
  "cancellation_processed",
  "waba_template_status_changed",
  "template_messaging_enabled",
  "template_messaging_disabled",
  "invalid",
] as const;

export const WEBHOOK_OUTCOMES = ["pending", "processing", "done", "failed", "dead", "ignored", "held"] as const;
