import { AUTH_SECURITY_TEXT, authFooterText, namedVariablesIn, placeholderTokens } from "./components";
import type { ButtonDraft, TemplateDraft } from "./draft";

// How WhatsApp will show a draft, as data: runs of plain text with style flags, never HTML, so the editor
// renders them as React text and nothing a user types can become markup. Pure: runs in the browser.

export type PreviewRun = { text: string; bold?: true; italic?: true; strike?: true; mono?: true; variable?: number };
type Style = Omit<PreviewRun, "text" | "variable">;

export type PreviewHeader = { kind: "text"; text: string } | { kind: "media"; format: string; url: string } | { kind: "location" };

export type TemplatePreview = {
  header?: PreviewHeader;
  /** Lines, each a list of runs; an empty list is an empty line. */
  body: PreviewRun[][];
  footer?: string;
  buttons: { type: string; label: string }[];
};

/** One unit of a line: a character, or a variable shown as its sample (or as `{{n}}` without one). */
type Atom = { char: string } | { variable: number; shown: string };

const MARKERS: Record<string, keyof Style> = { "*": "bold", _: "italic", "~": "strike" };
const isChar = (a: Atom | undefined, test: RegExp): boolean => a !== undefined && "char" in a && test.test(a.char);
const charAt = (atoms: Atom[], i: number): string | undefined => {
  const a = atoms[i];
  return a && "char" in a ? a.char : undefined;
};

function atomsOf(line: string, examples: readonly string[], names?: readonly string[]): Atom[] {
  const atoms: Atom[] = [];
  let at = 0;
  for (const t of placeholderTokens(line, names)) {
    for (const char of line.slice(at, t.index)) atoms.push({ char });
    if (t.variable === undefined) for (const char of t.raw) atoms.push({ char });
    else {
      const sample = examples[t.variable - 1];
      atoms.push({ variable: t.variable, shown: sample === undefined || sample.trim() === "" ? t.raw : sample });
    }
    at = t.index + t.raw.length;
  }
  for (const char of line.slice(at)) atoms.push({ char });
  return atoms;
}

const fenceAt = (atoms: Atom[], i: number): boolean => charAt(atoms, i) === "`" && charAt(atoms, i + 1) === "`" && charAt(atoms, i + 2) === "`";

/**
 * WhatsApp's rule for `*x*`, `_x_`, `~x~`: the opening marker is not preceded by a letter or digit and is
 * followed by a non-space; the closing one is preceded by a non-space and not followed by a letter or digit.
 */
function closingMarker(atoms: Atom[], open: number, end: number, marker: string): number {
  if (isChar(atoms[open - 1], /[\p{L}\p{N}]/u) || open + 1 >= end || isChar(atoms[open + 1], /\s/u)) return -1;
  for (let j = open + 2; j < end; j++) {
    if (charAt(atoms, j) === marker && !isChar(atoms[j - 1], /\s/u) && !isChar(atoms[j + 1], /[\p{L}\p{N}]/u)) return j;
  }
  return -1;
}

function push(runs: PreviewRun[], run: PreviewRun): void {
  const last = runs.at(-1);
  const sameStyle = (a: PreviewRun, b: PreviewRun) => a.bold === b.bold && a.italic === b.italic && a.strike === b.strike && a.mono === b.mono;
  if (last && last.variable === undefined && run.variable === undefined && sameStyle(last, run)) last.text += run.text;
  else runs.push(run);
}

function emitAtoms(atoms: Atom[], from: number, to: number, style: Style, runs: PreviewRun[]): void {
  for (let i = from; i < to; i++) {
    const a = atoms[i];
    if (a === undefined) continue;
    push(runs, "char" in a ? { text: a.char, ...style } : { text: a.shown, ...style, variable: a.variable });
  }
}

function parse(atoms: Atom[], from: number, to: number, style: Style, runs: PreviewRun[]): void {
  let i = from;
  while (i < to) {
    if (fenceAt(atoms, i)) {
      let close = i + 3;
      while (close + 2 < to && !fenceAt(atoms, close)) close++;
      if (close > i + 3 && close + 2 < to) {
        // Monospace shows its content literally: no formatting inside.
        emitAtoms(atoms, i + 3, close, { ...style, mono: true }, runs);
        i = close + 3;
        continue;
      }
    }
    const marker = charAt(atoms, i);
    const flag = marker === undefined ? undefined : MARKERS[marker];
    if (marker !== undefined && flag !== undefined && !style[flag]) {
      const close = closingMarker(atoms, i, to, marker);
      if (close > 0) {
        parse(atoms, i + 1, close, { ...style, [flag]: true }, runs);
        i = close + 1;
        continue;
      }
    }
    emitAtoms(atoms, i, i + 1, style, runs);
    i++;
  }
}

/** One line of WhatsApp-formatted text as runs; formatting never crosses a line break. */
export function formatLine(line: string, examples: readonly string[] = [], names?: readonly string[]): PreviewRun[] {
  const atoms = atomsOf(line, examples, names);
  const runs: PreviewRun[] = [];
  parse(atoms, 0, atoms.length, {}, runs);
  return runs;
}

export function formatText(text: string, examples: readonly string[] = []): PreviewRun[][] {
  // Named variables take their sample slot from their first use in the whole text, not in their line.
  const names = namedVariablesIn(text);
  return text.split(/\r?\n/).map((line) => formatLine(line, examples, names));
}

// Meta writes these buttons' labels itself when none is stored (COPY_CODE: "Copy offer code").
const KEPT_LABELS: Record<string, string> = { COPY_CODE: "Copy offer code", CATALOG: "View catalog", MPM: "View items", FLOW: "Open" };

function buttonLabel(b: ButtonDraft): string {
  if (b.type === "KEPT") return b.text.trim() !== "" ? b.text : KEPT_LABELS[b.kind] ?? b.kind;
  if (b.type !== "OTP" || b.text.trim() !== "") return b.text;
  return b.otpType === "ONE_TAP" ? "Autofill" : "Copy code";
}

function headerOf(draft: TemplateDraft): PreviewHeader | undefined {
  const h = draft.header;
  switch (h.format) {
    case "NONE":
      return undefined;
    case "LOCATION":
      return { kind: "location" };
    case "TEXT": {
      const [name] = namedVariablesIn(h.text);
      const token = name === undefined ? "{{1}}" : `{{${name}}}`;
      const sample = h.example.trim() === "" ? token : h.example;
      return { kind: "text", text: h.text.split(token).join(sample) };
    }
    default:
      return { kind: "media", format: h.format, url: h.example };
  }
}

function authenticationBody(draft: TemplateDraft): PreviewRun[][] {
  const line: PreviewRun[] = [{ text: "123456", bold: true, variable: 1 }, { text: " is your verification code." }];
  if (draft.addSecurityRecommendation) line.push({ text: ` ${AUTH_SECURITY_TEXT}` });
  return [line];
}

export function previewOf(draft: TemplateDraft): TemplatePreview {
  const buttons = draft.buttons.map((b) => ({ type: b.type, label: buttonLabel(b) }));
  if (draft.category === "AUTHENTICATION") {
    const minutes = draft.codeExpirationMinutes;
    return { body: authenticationBody(draft), ...(minutes === null ? {} : { footer: authFooterText(minutes) }), buttons };
  }
  const header = headerOf(draft);
  return {
    ...(header === undefined ? {} : { header }),
    body: formatText(draft.body, draft.bodyExamples),
    ...(draft.footer.trim() === "" ? {} : { footer: draft.footer }),
    buttons,
  };
}
