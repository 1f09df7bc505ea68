import { isRecord } from "../hub/json";

// What a violation or restriction means and what to do, for staff (the client's words are in the message catalogues,
// `status.meaning.restricted_*`, docs/i18n.md §4).
// The type strings are Meta's (docs/channel-lifecycle.md §2); any other one is shown as sent with the general advice.

export type RestrictionInfo = {
  event: "account_violation" | "account_restriction";
  violationType: string | null;
  restrictionType: string | null;
  expiresAt: string | null;
  at: string | null;
};

const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : null);

/** The newest violation or restriction a channel's flags hold (account-events.ts writes them). */
export function restrictionOf(flags: Record<string, unknown>): RestrictionInfo | null {
  const found: RestrictionInfo[] = [];
  for (const event of ["account_violation", "account_restriction"] as const) {
    const f = flags[event];
    if (!isRecord(f)) continue;
    found.push({ event, violationType: str(f.type), restrictionType: str(f.restrictionType), expiresAt: str(f.expiresAt), at: str(f.at) });
  }
  return found.sort((a, b) => Date.parse(b.at ?? "") - Date.parse(a.at ?? ""))[0] ?? null;
}

const RESTRICTIONS: Record<string, string> = {
  RESTRICTED_BIZ_INITIATED_MESSAGING: "it may not start conversations (template messages) for now",
  RESTRICTED_CUSTOMER_INITIATED_MESSAGING: "it may not answer conversations customers start for now",
  RESTRICTED_ADD_PHONE_NUMBER_ACTION: "no phone number may be added to this WhatsApp Business Account for now",
};

/** e.g. "SCAM" → "scam", "BULLYING_HARASSMENT" → "bullying harassment". */
const plain = (type: string) => type.toLowerCase().replace(/_/g, " ");

/** One line for staff: what happened, with 360dialog's and Meta's own type strings. */
export function restrictionSummary(r: RestrictionInfo): string {
  const what = r.event === "account_violation" ? "Meta reported a policy violation" : "Meta restricted this number";
  const type = r.violationType ? ` (violation type ${r.violationType})` : "";
  const limit = r.restrictionType ? `: ${RESTRICTIONS[r.restrictionType] ?? r.restrictionType}` : "";
  const until = r.expiresAt ? `, until ${r.expiresAt}` : "";
  return `${what}${type}${limit}${until}.`;
}

/** The next step for staff. */
export function restrictionNextStep(r: RestrictionInfo): string {
  const subject = r.violationType ? `messages that could read as ${plain(r.violationType)}` : "the messages and templates sent lately";
  return (
    `Review ${subject} with the client and stop what caused it. Check the account's quality in WhatsApp Manager (Account quality), ` +
    "where the client can request a review if they disagree. Mark it resolved here once Meta has lifted it."
  );
}
