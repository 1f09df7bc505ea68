import type { ButtonDraft, HeaderDraft, TemplateCategoryName, TemplateDraft } from "@/lib/templates/draft";

export const HEADER_FORMATS = ["NONE", "TEXT", "IMAGE", "VIDEO", "GIF", "DOCUMENT", "LOCATION"] as const;
export type HeaderFormat = (typeof HEADER_FORMATS)[number];

/** The server refuses more samples than this (draft schema); a `{{500}}` typed by mistake must not make 500 inputs. */
export const MAX_SAMPLES = 100;

const usable = (n: number) => Number.isInteger(n) && n >= 1 && n <= MAX_SAMPLES;

/** The distinct variable numbers that get a sample input, ascending. */
export function sampleSlots(variableNumbers: readonly number[]): number[] {
  return [...new Set(variableNumbers.filter(usable))].sort((x, y) => x - y);
}

/**
 * The `bodyExamples` to send for a body with these variables: one entry per number up to the highest, taken by
 * index from everything typed so far, so a sample comes back when its variable is removed and typed again.
 */
export function samplesFor(variableNumbers: readonly number[], typed: readonly string[]): string[] {
  const slots = sampleSlots(variableNumbers);
  const count = slots.at(-1) ?? 0;
  return Array.from({ length: count }, (_, i) => typed[i] ?? "");
}

/** Sets the sample at `index`, filling any gap before it with "". */
export function withSample(typed: readonly string[], index: number, value: string): string[] {
  const next = Array.from({ length: Math.max(typed.length, index + 1) }, (_, i) => typed[i] ?? "");
  next[index] = value;
  return next;
}

/** The number of the variable a toolbar click inserts: one past the highest already in the text. */
export function nextVariable(variableNumbers: readonly number[]): number {
  return variableNumbers.reduce((max, n) => (Number.isFinite(n) && n > max ? n : max), 0) + 1;
}

export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length || to < 0 || to >= list.length || from === to) return [...list];
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item as T);
  return next;
}

export function replaceItem<T>(list: readonly T[], index: number, item: T): T[] {
  return list.map((x, i) => (i === index ? item : x));
}

export function newButton(type: Exclude<ButtonDraft["type"], "KEPT">): ButtonDraft {
  switch (type) {
    case "QUICK_REPLY":
      return { type, text: "" };
    case "URL":
      return { type, text: "", url: "", example: "" };
    case "PHONE_NUMBER":
      return { type, text: "", phoneNumber: "" };
    case "OTP":
      return { type, otpType: "COPY_CODE", text: "" };
  }
}

/** What an authentication template cannot hold, kept aside while the category is AUTHENTICATION. */
export type CategoryStash = Pick<TemplateDraft, "header" | "body" | "bodyExamples" | "footer" | "buttons">;

/**
 * Changes the category. Meta writes an authentication template's text itself and allows exactly one code button
 * in it, so entering AUTHENTICATION sets header, body, footer and other buttons aside (the stash) and adds a
 * copy-code button; leaving it brings them back, so switching to and fro loses nothing typed.
 */
export function switchCategory(
  draft: TemplateDraft,
  category: TemplateCategoryName,
  stash: CategoryStash | null,
): { draft: TemplateDraft; stash: CategoryStash | null } {
  if (category === draft.category) return { draft, stash };
  if (category === "AUTHENTICATION") {
    const otp = draft.buttons.filter((b) => b.type === "OTP");
    return {
      draft: { ...draft, category, header: { format: "NONE" }, body: "", bodyExamples: [], footer: "", buttons: otp.length > 0 ? otp : [newButton("OTP")] },
      stash: { header: draft.header, body: draft.body, bodyExamples: draft.bodyExamples, footer: draft.footer, buttons: draft.buttons.filter((b) => b.type !== "OTP") },
    };
  }
  if (draft.category !== "AUTHENTICATION") return { draft: { ...draft, category }, stash };
  const kept = draft.buttons.filter((b) => b.type !== "OTP");
  return { draft: { ...draft, category, ...stash, buttons: [...(stash?.buttons ?? []), ...kept] }, stash: null };
}

export function defaultHeader(format: HeaderFormat): HeaderDraft {
  switch (format) {
    case "NONE":
    case "LOCATION":
      return { format };
    case "TEXT":
      return { format, text: "", example: "" };
    default:
      return { format, example: "" };
  }
}

export type HeaderMemory = Partial<Record<HeaderFormat, HeaderDraft>>;

/** Switches the header format, remembering what was typed for the old one and restoring what the new one had. */
export function switchHeader(current: HeaderDraft, format: HeaderFormat, memory: HeaderMemory): { header: HeaderDraft; memory: HeaderMemory } {
  if (current.format === format) return { header: current, memory };
  const next = { ...memory, [current.format]: current };
  return { header: next[format] ?? defaultHeader(format), memory: next };
}

/** "" = no expiry line; anything else the whole number typed (the linter says whether it is in range). */
export function parseMinutes(value: string): number | null {
  const trimmed = value.trim();
  if (trimmed === "") return null;
  const n = Number.parseInt(trimmed, 10);
  return Number.isFinite(n) ? n : null;
}
