import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyDraft, type TemplateDraft } from "./draft";
import { formatLine, formatText, previewOf, type PreviewRun } from "./preview";

describe("formatLine", () => {
  it.each<[string, PreviewRun[]]>([
    ["plain text", [{ text: "plain text" }]],
    ["a *bold* word", [{ text: "a " }, { text: "bold", bold: true }, { text: " word" }]],
    ["_italic_ and ~gone~", [{ text: "italic", italic: true }, { text: " and " }, { text: "gone", strike: true }]],
    ["*_both_*", [{ text: "both", bold: true, italic: true }]],
    ["_*both*_!", [{ text: "both", italic: true, bold: true }, { text: "!" }]],
    ["*bold _and italic_ here*", [{ text: "bold ", bold: true }, { text: "and italic", bold: true, italic: true }, { text: " here", bold: true }]],
    ["unclosed *bold", [{ text: "unclosed *bold" }]],
    ["* spaced after*", [{ text: "* spaced after*" }]],
    ["*spaced before *", [{ text: "*spaced before *" }]],
    ["in*word*bold", [{ text: "in*word*bold" }]],
    ["5 * 3 * 2", [{ text: "5 * 3 * 2" }]],
    ["**", [{ text: "**" }]],
    ["```mono *not bold*```", [{ text: "mono *not bold*", mono: true }]],
    ["```unclosed", [{ text: "```unclosed" }]],
    ["<b>not markup</b> &amp;", [{ text: "<b>not markup</b> &amp;" }]],
    ["a {{Name}} stays", [{ text: "a {{Name}} stays" }]],
  ])("%j", (line, runs) => {
    expect(formatLine(line)).toEqual(runs);
  });

  it("shows variables as their samples, marked, inside formatting", () => {
    expect(formatLine("*Hi {{1}}*, order {{2}}", ["Anna", "A-17"])).toEqual([
      { text: "Hi ", bold: true },
      { text: "Anna", bold: true, variable: 1 },
      { text: ", order " },
      { text: "A-17", variable: 2 },
    ]);
    expect(formatLine("*{{1}}*", ["Anna"])).toEqual([{ text: "Anna", bold: true, variable: 1 }]);
  });

  it("shows {{n}} where the sample is missing, and never parses a sample as formatting", () => {
    expect(formatLine("Hi {{1}} and {{2}}", ["*x*"])).toEqual([
      { text: "Hi " },
      { text: "*x*", variable: 1 },
      { text: " and " },
      { text: "{{2}}", variable: 2 },
    ]);
  });

  it("keeps formatting within a line", () => {
    expect(formatText("*a\nb*\n\nc")).toEqual([[{ text: "*a" }], [{ text: "b*" }], [], [{ text: "c" }]]);
  });

  it("loses no text: without markers the runs spell the line", () => {
    const line = fc.string({ unit: fc.constantFrom("a", " ", "{", "}", "1", "2", "<", ">", "&", "é", "📦") });
    fc.assert(
      fc.property(line, (text) => {
        expect(formatLine(text).map((r) => r.text).join("")).toBe(text);
      }),
    );
  });

  it("only drops marker characters, and never yields an empty run", () => {
    const line = fc.string({ unit: fc.constantFrom("a", " ", "*", "_", "~", "`", "{", "}", "1", ".") });
    fc.assert(
      fc.property(line, (text) => {
        const runs = formatLine(text);
        expect(runs.every((r) => r.text !== "")).toBe(true);
        const strip = (s: string) => s.replace(/[*_~`]/g, "");
        expect(strip(runs.map((r) => r.text).join(""))).toBe(strip(text));
      }),
    );
  });
});

const draft: TemplateDraft = { ...emptyDraft(), name: "t", category: "UTILITY", body: "Hi {{1}}", bodyExamples: ["Anna"] };

describe("previewOf", () => {
  it("previews header, body, footer and buttons", () => {
    expect(
      previewOf({
        ...draft,
        header: { format: "TEXT", text: "Order {{1}}", example: "$& A-17" },
        footer: "Bye",
        buttons: [
          { type: "QUICK_REPLY", text: "Stop" },
          { type: "URL", text: "Track", url: "https://x.example/{{1}}", example: "" },
        ],
      }),
    ).toEqual({
      header: { kind: "text", text: "Order $& A-17" },
      body: [[{ text: "Hi " }, { text: "Anna", variable: 1 }]],
      footer: "Bye",
      buttons: [
        { type: "QUICK_REPLY", label: "Stop" },
        { type: "URL", label: "Track" },
      ],
    });
  });

  it.each([
    [{ format: "NONE" as const }, undefined],
    [{ format: "TEXT" as const, text: "Order {{1}}", example: " " }, { kind: "text", text: "Order {{1}}" }],
    [{ format: "VIDEO" as const, example: "https://cdn.example/v.mp4" }, { kind: "media", format: "VIDEO", url: "https://cdn.example/v.mp4" }],
    [{ format: "LOCATION" as const }, { kind: "location" }],
  ])("header %j", (header, expected) => {
    expect(previewOf({ ...draft, header }).header).toEqual(expected);
  });

  it("leaves out a blank footer", () => {
    expect(previewOf({ ...draft, footer: "  " })).not.toHaveProperty("footer");
  });

  it("previews an authentication template with WhatsApp's fixed texts", () => {
    const auth: TemplateDraft = {
      ...draft,
      category: "AUTHENTICATION",
      body: "ignored",
      addSecurityRecommendation: true,
      codeExpirationMinutes: 5,
      buttons: [{ type: "OTP", otpType: "COPY_CODE", text: "" }],
    };
    expect(previewOf(auth)).toEqual({
      body: [[{ text: "123456", bold: true, variable: 1 }, { text: " is your verification code." }, { text: " For your security, do not share this code." }]],
      footer: "This code expires in 5 minutes.",
      buttons: [{ type: "OTP", label: "Copy code" }],
    });
    const bare = previewOf({ ...auth, addSecurityRecommendation: false, codeExpirationMinutes: null });
    expect(bare.body).toEqual([[{ text: "123456", bold: true, variable: 1 }, { text: " is your verification code." }]]);
    expect(bare).not.toHaveProperty("footer");
  });
});

describe("previewOf: named variables (docs/templates-meta.md §3)", () => {
  it("shows each name's sample wherever it is used, across lines", () => {
    const preview = previewOf({
      ...emptyDraft(),
      header: { format: "TEXT", text: "Order {{order_id}}", example: "A-17" },
      body: "Hi {{customer_name}},\nyour order {{order_id}} is ready, {{customer_name}}.",
      bodyExamples: ["Anna", "A-17"],
    });
    expect(preview.header).toEqual({ kind: "text", text: "Order A-17" });
    expect(preview.body.map((line) => line.map((r) => r.text).join(""))).toEqual(["Hi Anna,", "your order A-17 is ready, Anna."]);
  });
});
