/** A textarea's new value and where its selection goes after an edit. */
export type TextEdit = { text: string; selectionStart: number; selectionEnd: number };

const clamp = (n: number, min: number, max: number) => Math.min(Math.max(n, min), max);

/** Replaces the selection (or inserts at the caret) and puts the caret after the inserted text. */
export function insertAt(text: string, start: number, end: number, insert: string): TextEdit {
  const s = clamp(start, 0, text.length);
  const e = clamp(end, s, text.length);
  const caret = s + insert.length;
  return { text: text.slice(0, s) + insert + text.slice(e), selectionStart: caret, selectionEnd: caret };
}

/**
 * Wraps the selection in a WhatsApp formatting marker (`*`, `_`, `~`, "```"), or removes the marker when the
 * selection is already wrapped. With nothing selected, inserts an empty pair with the caret between.
 */
export function toggleWrap(text: string, start: number, end: number, marker: string): TextEdit {
  const s = clamp(start, 0, text.length);
  const e = clamp(end, s, text.length);
  let a = s;
  let b = e;
  // WhatsApp ignores "* bold *": the markers must touch the words, so spaces around the selection stay outside.
  while (a < b && /\s/.test(text.charAt(a))) a++;
  while (b > a && /\s/.test(text.charAt(b - 1))) b--;
  const m = marker.length;
  if (a < b) {
    if (a >= m && text.slice(a - m, a) === marker && text.slice(b, b + m) === marker) {
      return { text: text.slice(0, a - m) + text.slice(a, b) + text.slice(b + m), selectionStart: a - m, selectionEnd: b - m };
    }
    if (b - a >= 2 * m && text.slice(a, a + m) === marker && text.slice(b - m, b) === marker) {
      return { text: text.slice(0, a) + text.slice(a + m, b - m) + text.slice(b), selectionStart: a, selectionEnd: b - 2 * m };
    }
  }
  if (a === b) {
    return { text: text.slice(0, a) + marker + marker + text.slice(a), selectionStart: a + m, selectionEnd: a + m };
  }
  return { text: text.slice(0, a) + marker + text.slice(a, b) + marker + text.slice(b), selectionStart: a + m, selectionEnd: b + m };
}
