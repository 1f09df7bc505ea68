// Plain words for what staff read on the dashboard. 360dialog's own strings stay visible beside them.

const statusWords: Record<string, string> = {
  created: "Created",
  unverified: "In review (name)",
  submitted: "Submitted to Meta",
  verified: "Name verified",
  ready: "Ready to register",
  running: "Running",
  live: "Running (live)",
};

export function channelStatusWords(status: string): string {
  return statusWords[status] ?? `Other: ${status}`;
}

export function channelStatusTone(rank: number, restricted: boolean): "slate" | "green" | "amber" | "red" | "blue" {
  if (restricted) return "red";
  if (rank >= 50) return "green";
  if (rank >= 20) return "blue";
  return "amber";
}

export function keyWords(status: string | null, last4: string | null): string {
  if (status === "active") return `Stored ••••${last4 ?? ""}`;
  if (status === "pending") return "Being generated";
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
  "waba_template_status_changed",
  "template_messaging_enabled",
  "template_messaging_disabled",
  "invalid",
] as const;

export const WEBHOOK_OUTCOMES = ["pending", "processing", "done", "failed", "dead", "ignored"] as const;
