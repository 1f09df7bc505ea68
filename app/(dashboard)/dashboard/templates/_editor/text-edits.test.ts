import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { insertAt, toggleWrap } from "./text-edits";

describe("insertAt", () => {
  it("inserts at the caret and puts the caret after the insertion", () => {
    expect(insertAt("Hi , thanks", 3, 3, "{{1}}")).toEqual({ text: "Hi {{1}}, thanks", selectionStart: 8, selectionEnd: 8 });
  });

  it("replaces the selection", () => {
    expect(insertAt("Hi NAME!", 3, 7, "{{1}}")).toEqual({ text: "Hi {{1}}!", selectionStart: 8, selectionEnd: 8 });
  });

  it("clamps positions outside the text", () => {
    expect(insertAt("ab", 9, 12, "x").text).toBe("abx");
    expect(insertAt("ab", -3, 1, "x").text).toBe("xb");
  });

  it("keeps everything around the selection (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), fc.nat(), fc.string(), (text, p, q, insert) => {
        const [s, e] = [Math.min(p, q) % (text.length + 1), Math.max(p, q) % (text.length + 1)].sort((x, y) => x - y) as [number, number];
        const r = insertAt(text, s, e, insert);
        expect(r.text).toBe(text.slice(0, s) + insert + text.slice(e));
        expect(r.selectionStart).toBe(s + insert.length);
      }),
    );
  });
});

describe("toggleWrap", () => {
  it("wraps the selection and keeps it selected inside the markers", () => {
    expect(toggleWrap("make this bold", 10, 14, "*")).toEqual({ text: "make this *bold*", selectionStart: 11, selectionEnd: 15 });
  });

  it("leaves spaces around the selection outside the markers (WhatsApp ignores `* x *`)", () => {
    expect(toggleWrap("a big deal", 1, 6, "_").text).toBe("a _big_ deal");
  });

  it("unwraps when the markers sit just outside the selection", () => {
    expect(toggleWrap("make this *bold*", 11, 15, "*")).toEqual({ text: "make this bold", selectionStart: 10, selectionEnd: 14 });
  });

  it("unwraps when the selection includes the markers", () => {
    expect(toggleWrap("~gone~ now", 0, 6, "~")).toEqual({ text: "gone now", selectionStart: 0, selectionEnd: 4 });
  });

  it("puts an empty pair at the caret when nothing is selected", () => {
    expect(toggleWrap("ab", 1, 1, "*")).toEqual({ text: "a**b", selectionStart: 2, selectionEnd: 2 });
  });

  it("works with the three-character monospace fence", () => {
    expect(toggleWrap("x code y", 2, 6, "```").text).toBe("x ```code``` y");
  });

  it("wrapping then toggling again restores the text (property)", () => {
    const word = fc.string({ unit: fc.constantFrom("a", "b", " ", "\n", "1", "é") });
    fc.assert(
      fc.property(word, fc.nat(), fc.nat(), fc.constantFrom("*", "_", "~"), (text, p, q, marker) => {
        const s = Math.min(p, q) % (text.length + 1);
        const e = Math.max(s, Math.max(p, q) % (text.length + 1));
        const once = toggleWrap(text, s, e, marker);
        if (once.text.length !== text.length + 2 * marker.length || once.selectionStart === once.selectionEnd) return;
        const twice = toggleWrap(once.text, once.selectionStart, once.selectionEnd, marker);
        expect(twice.text).toBe(text);
      }),
    );
  });
});
