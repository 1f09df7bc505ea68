// Template statuses come lowercase from 360dialog lists and uppercase from Meta's status webhook (docs/hub-contract.md §6);
// the portal stores them lowercase and keeps any value it does not know (an open set, docs/hub-contract.md §11.2). Its own
// statuses: draft, submitting, submit_failed (refused before review), submit_unknown (answer lost; a sync settles it).

export const AWAITING_REVIEW_STATUSES = ["submitted", "pending", "in_appeal", "created", "pending_deletion"];

export const LOCAL_STATUSES = ["draft", "submitting", "submit_failed", "submit_unknown"];

export function normaliseStatus(value: string | undefined | null): string | undefined {
  const s = value?.trim().toLowerCase().replace(/\s+/g, "_");
  return s ? s.slice(0, 40) : undefined;
}

/** Meta's reason "NONE" on approval means no reason. */
export function normaliseReason(value: string | undefined | null): string | null {
  const s = value?.trim();
  return s && s.toUpperCase() !== "NONE" ? s.slice(0, 1000) : null;
}

const WORDS: Record<string, string> = {
  draft: "Draft",
  submitting: "Sending…",
  submit_failed: "Refused on submit",
  submit_unknown: "Checking with 360dialog",
  submitted: "Submitted",
  created: "Submitted",
  pending: "In review",
  in_appeal: "In appeal",
  approved: "Approved",
  rejected: "Rejected",
  paused: "Paused",
  disabled: "Disabled",
  flagged: "Flagged",
  reinstated: "Reinstated",
  pending_deletion: "Being deleted",
  deleted: "Deleted",
  archived: "Archived",
  limit_exceeded: "Limit exceeded",
  locked: "Locked",
};

export function templateStatusWords(status: string): string {
  return WORDS[status] ?? status;
}

export type StatusTone = "slate" | "green" | "amber" | "red" | "blue";

export function templateStatusTone(status: string): StatusTone {
  if (status === "approved" || status === "reinstated") return "green";
  if (status === "rejected" || status === "submit_failed" || status === "disabled" || status === "deleted") return "red";
  if (AWAITING_REVIEW_STATUSES.includes(status) || status === "submitting" || status === "submit_unknown") return "blue";
  if (status === "paused" || status === "flagged" || status === "limit_exceeded" || status === "locked") return "amber";
  return "slate";
}

// Meta's rejection reasons, in words staff can act on (the full vocabulary is UNVERIFIED, docs/hub-contract.md §10.10; unknown ones
// are shown as they came).
const REASONS: Record<string, string> = {
  INVALID_FORMAT: "The format breaks WhatsApp's rules (variables, examples, length or characters).",
  TAG_CONTENT_MISMATCH: "The content does not match the category chosen.",
  INCORRECT_CATEGORY: "Meta thinks the category is wrong.",
  ABUSIVE_CONTENT: "Meta judged the content abusive or threatening.",
  PROMOTIONAL: "The content is promotional; use the MARKETING category.",
  SCAM: "Meta judged the content misleading or a possible scam.",
  NONE: "No reason given.",
};

export function rejectionWords(reason: string | null | undefined): string | null {
  if (!reason) return null;
  const explained = REASONS[reason.toUpperCase()];
  return explained ? `${reason}: ${explained}` : reason;
}
