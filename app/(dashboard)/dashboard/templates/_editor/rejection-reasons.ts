// Meta's `reason` on a rejected template (docs/hub-contract.md §6: the full set is UNVERIFIED), in words with what usually
// fixes it. An unknown reason is shown as it came.
const REASONS: Record<string, { title: string; hint: string }> = {
  INVALID_FORMAT: {
    title: "invalid format",
    hint: "Usually a variable at the very start or end of the body, variables out of order, a missing sample, or broken formatting marks.",
  },
  TAG_CONTENT_MISMATCH: {
    title: "the content does not match the category",
    hint: "Choose the category that fits what the message says, or let Meta change the category.",
  },
  INCORRECT_CATEGORY: {
    title: "incorrect category",
    hint: "Promotions belong in Marketing; Utility is only for updates about something the customer did or asked for.",
  },
  PROMOTIONAL: {
    title: "promotional content",
    hint: "The text reads as marketing: submit it as Marketing, or remove offers and calls to buy.",
  },
  ABUSIVE_CONTENT: {
    title: "abusive content",
    hint: "Meta found content that breaks the WhatsApp Business or Commerce Policy; rewrite it rather than resubmitting as is.",
  },
  SCAM: {
    title: "suspected scam",
    hint: "Meta suspects the message misleads recipients; make sender, purpose and links plainly recognisable.",
  },
  CATEGORY_NOT_AVAILABLE: {
    title: "category not available",
    hint: "This category cannot be used for this business or number; choose another.",
  },
  NONE: {
    title: "no reason given",
    hint: "Meta did not say why; compare the template with WhatsApp's template guidelines and resubmit.",
  },
};

export function describeRejection(reason: string): { title: string; hint: string | null } {
  const known = REASONS[reason.trim().toUpperCase()];
  return known ?? { title: reason.trim(), hint: null };
}
