import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvHeader, csvRows, safeCell } from "./csv";

describe("safeCell (docs/exports.md §4)", () => {
  it.each([
    ["=1+2", "'=1+2"],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ["-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1", "'\t=1"],
    ["\r=1", "'\r=1"],
    ['=HYPERLINK("http://evil.test")', `'=HYPERLINK("http://evil.test")`],
  ])("prefixes %j", (input, expected) => {
    expect(safeCell(input)).toBe(expected);
  });

  it.each(["+4915123456789", "+49 151 234 5678", "+1 (555) 010-0000", "-3", "-1.5", "Acme = good", "ana@acme.test", ""])("keeps %j as it is", (input) => {
    expect(safeCell(input)).toBe(input);
  });

  it("writes dates as ISO 8601 UTC, null as empty, objects as JSON", () => {
    expect(safeCell(new Date("2026-01-02T03:04:05.678Z"))).toBe("2026-01-02T03:04:05.678Z");
    expect(safeCell(null)).toBe("");
    expect(safeCell(undefined)).toBe("");
    expect(safeCell({ a: "=1" })).toBe('{"a":"=1"}');
    expect(safeCell(42)).toBe("42");
  });
});

describe("csvRows", () => {
  it("round-trips quotes, commas and line breaks through a CSV parser", () => {
    const rows = [["a,b", 'say "hi"', "line\nbreak", "=bad"]];
    const text = csvHeader(["one", "two", "three", "four"]) + csvRows(rows);
    expect(text.startsWith("\uFEFF")).toBe(true);
    expect(text).toContain("\r\n");
    // A lone CR or LF inside a cell is quoted, so no reader splits the record there.
    expect(csvRows([["a\rb", "c\nd", "e"]])).toBe('"a\rb","c\nd",e\r\n');
    expect(parse(text, { bom: true })).toEqual([["one", "two", "three", "four"], ["a,b", 'say "hi"', "line\nbreak", "'=bad"]]);
  });
});
