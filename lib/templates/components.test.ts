import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromComponents, malformedPlaceholders, toComponents, variablesIn } from "./components";
import { emptyDraft, type ButtonDraft, type HeaderDraft, type TemplateDraft } from "./draft";
import { hasErrors, lintTemplate } from "./lint";

describe("variablesIn", () => {
  it.each([
    ["Hi {{1}}, order {{2}} ships {{1}}.", [1, 2, 1]],
    ["{{3}} then {{1}}", [3, 1]],
    ["no variables", []],
    ["{{ 1 }} {{Name}} {1} {{1} {{01}} {{{1}}}", []],
    ["{{1}}{{2}}", [1, 2]],
    ["{{0}}", [0]],
  ])("%j → %j", (text, expected) => {
    expect(variablesIn(text)).toEqual(expected);
  });
});

describe("malformedPlaceholders", () => {
  it.each([
    ["Hi {{ 1 }}", ["{{ 1 }}"]],
    ["Hi {{Name}}", ["{{Name}}"]],
    ["Hi {{first name}}", ["{{first name}}"]],
    ["Hi {1}", ["{1}"]],
    ["Hi {{1}", ["{{1}"]],
    ["Hi {1}}", ["{1}}"]],
    ["Hi {{{1}}}", ["{{{1}}}"]],
    ["Hi {{01}}", ["{{01}}"]],
    ["Hi {{}} and }}", ["{{}}", "}}"]],
    ["open {{ across\nlines}}", ["{{", "}}"]],
  ])("%j → %j", (text, expected) => {
    expect(malformedPlaceholders(text)).toEqual(expected);
  });

  it.each([["Hi {{1}} and {{2}}"], ["a { brace } in prose"], ["json {a}"], ["{{10}}"]])("%j has none", (text) => {
    expect(malformedPlaceholders(text)).toEqual([]);
  });
});

const base: TemplateDraft = { ...emptyDraft(), name: "order_update", language: "en_US", category: "UTILITY", body: "Your order is on its way." };

describe("toComponents", () => {
  it("builds header, body with samples, footer and every button type", () => {
    const draft: TemplateDraft = {
      ...base,
      header: { format: "TEXT", text: "Order {{1}}", example: "A-17" },
      body: "Hi {{1}}, your order {{2}} has shipped.",
      bodyExamples: ["Anna", "A-17", "leftover"],
      footer: "Reply STOP to opt out",
      buttons: [
        { type: "URL", text: "Track", url: "https://shop.example/track/{{1}}", example: "https://shop.example/track/A-17" },
        { type: "URL", text: "Shop", url: "https://shop.example/", example: "" },
        { type: "PHONE_NUMBER", text: "Call us", phoneNumber: "+4930123456" },
        { type: "QUICK_REPLY", text: "Stop" },
      ],
    };
    expect(toComponents(draft)).toEqual([
      { type: "HEADER", format: "TEXT", text: "Order {{1}}", example: { header_text: ["A-17"] } },
      { type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped.", example: { body_text: [["Anna", "A-17"]] } },
      { type: "FOOTER", text: "Reply STOP to opt out" },
      {
        type: "BUTTONS",
        buttons: [
          { type: "URL", text: "Track", url: "https://shop.example/track/{{1}}", example: ["https://shop.example/track/A-17"] },
          { type: "URL", text: "Shop", url: "https://shop.example/" },
          { type: "PHONE_NUMBER", text: "Call us", phone_number: "+4930123456" },
          { type: "QUICK_REPLY", text: "Stop" },
        ],
      },
    ]);
  });

  it.each<[HeaderDraft, unknown]>([
    [{ format: "TEXT", text: "Plain", example: "" }, { type: "HEADER", format: "TEXT", text: "Plain" }],
    [{ format: "IMAGE", example: "https://cdn.example/a.png" }, { type: "HEADER", format: "IMAGE", example: { header_handle: ["https://cdn.example/a.png"] } }],
    [{ format: "DOCUMENT", example: "4::aGFuZGxl" }, { type: "HEADER", format: "DOCUMENT", example: { header_handle: ["4::aGFuZGxl"] } }],
    [{ format: "LOCATION" }, { type: "HEADER", format: "LOCATION" }],
  ])("header %j", (header, expected) => {
    expect(toComponents({ ...base, header })[0]).toEqual(expected);
  });

  it("leaves out an empty footer and the buttons component when there are none", () => {
    expect(toComponents({ ...base, footer: "  " }).map((c) => c.type)).toEqual(["BODY"]);
  });

  it("uses Meta's authentication shape, plus the texts the sandbox demands", () => {
    const draft: TemplateDraft = {
      ...base,
      category: "AUTHENTICATION",
      body: "",
      addSecurityRecommendation: true,
      codeExpirationMinutes: 10,
      buttons: [{ type: "OTP", otpType: "COPY_CODE", text: "Copy code" }],
    };
    expect(toComponents(draft)).toEqual([
      { type: "BODY", add_security_recommendation: true },
      { type: "FOOTER", code_expiration_minutes: 10 },
      { type: "BUTTONS", buttons: [{ type: "OTP", otp_type: "COPY_CODE", text: "Copy code" }] },
    ]);
    expect(toComponents({ ...draft, codeExpirationMinutes: null, buttons: [{ type: "OTP", otpType: "COPY_CODE", text: "" }] })).toEqual([
      { type: "BODY", add_security_recommendation: true },
      { type: "BUTTONS", buttons: [{ type: "OTP", otp_type: "COPY_CODE" }] },
    ]);
  });
});

describe("fromComponents", () => {
  const source = (category: string, components: unknown[]) => ({ name: "t", language: "en", category, components });

  it("reads 360dialog's lowercase and legacy shapes", () => {
    const draft = fromComponents(
      source("marketing", [
        { type: "header", format: "image", example: { header_handle: ["https://cdn.example/a.png"] } },
        { type: "body", text: "Hi {{1}}", example: { body_text: ["Anna"] } },
        { type: "footer", text: "Bye" },
        { type: "buttons", buttons: [{ type: "quick_reply", text: "Yes" }, { type: "url", text: "Go", url: "https://x.example/{{1}}", example: "https://x.example/1" }] },
      ]),
    );
    expect(draft).toMatchObject({
      category: "MARKETING",
      allowCategoryChange: false,
      header: { format: "IMAGE", example: "https://cdn.example/a.png" },
      body: "Hi {{1}}",
      bodyExamples: ["Anna"],
      footer: "Bye",
      buttons: [
        { type: "QUICK_REPLY", text: "Yes" },
        { type: "URL", text: "Go", url: "https://x.example/{{1}}", example: "https://x.example/1" },
      ],
    });
  });

  it("maps an unknown category to UTILITY and lets Meta re-categorise", () => {
    expect(fromComponents(source("TRANSACTIONAL", [{ type: "BODY", text: "x" }]))).toMatchObject({ category: "UTILITY", allowCategoryChange: true, body: "x" });
  });

  it("never throws on junk and keeps the buttons it cannot edit as read", () => {
    const junk: unknown[] = [null, 7, "BODY", [], { type: 3 }, { type: "HEADER", format: "CAROUSEL" }, { type: "BUTTONS", buttons: [null, { type: "FLOW" }, { type: "COPY_CODE" }] }, { type: "BODY", text: 42, example: { body_text: [[1, null]] } }];
    const draft = fromComponents(source("utility", junk));
    expect(draft).toMatchObject({
      header: { format: "NONE" },
      buttons: [
        { type: "KEPT", kind: "FLOW", raw: { type: "FLOW" } },
        { type: "KEPT", kind: "COPY_CODE", raw: { type: "COPY_CODE" } },
      ],
      body: "42",
      bodyExamples: ["1", ""],
    });
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.anything(), fc.array(fc.anything()), (name, language, category, components) => {
        fromComponents({ name, language, category: category as string, components });
      }),
    );
  });

  it("reads an authentication template as Meta lists it", () => {
    const draft = fromComponents(
      source("AUTHENTICATION", [
        { type: "BODY", text: "*{{1}}* is your verification code. For your security, do not share this code." },
        { type: "FOOTER", text: "This code expires in 5 minutes." },
        { type: "BUTTONS", buttons: [{ type: "URL", text: "Copy code", url: "https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE" }] },
      ]),
    );
    expect(draft).toMatchObject({
      category: "AUTHENTICATION",
      body: "",
      addSecurityRecommendation: true,
      codeExpirationMinutes: 5,
      buttons: [{ type: "OTP", otpType: "COPY_CODE", text: "Copy code" }],
    });
  });
});

// ---- Round trip over valid drafts in their canonical form: fields that have no place in the components
// (AUTHENTICATION-only fields on other categories, unused samples) hold emptyDraft()'s values.

const word = fc.stringMatching(/^[A-Za-z][a-z]{0,7}$/);
const words = (min: number, max: number) => fc.array(word, { minLength: min, maxLength: max }).map((w) => w.join(" "));
const sample = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 -]{0,11}$/);
const label = fc.stringMatching(/^[A-Z][a-z ]{0,20}[a-z]$/);

const bodyAndExamples = fc.integer({ min: 0, max: 4 }).chain((k) =>
  fc.tuple(fc.array(words(3, 6), { minLength: k + 1, maxLength: k + 1 }), fc.array(sample, { minLength: k, maxLength: k })).map(([segments, examples]) => ({
    body: `${segments.map((s, i) => (i === 0 ? s : ` {{${i}}} ${s}`)).join("")}.`,
    bodyExamples: examples,
  })),
);

const header: fc.Arbitrary<HeaderDraft> = fc.oneof(
  fc.constant({ format: "NONE" as const }),
  words(1, 4).map((text) => ({ format: "TEXT" as const, text, example: "" })),
  fc.tuple(words(1, 3), sample).map(([text, example]) => ({ format: "TEXT" as const, text: `${text} {{1}}`, example })),
  fc.tuple(fc.constantFrom("IMAGE" as const, "VIDEO" as const, "DOCUMENT" as const), word).map(([format, file]) => ({ format, example: `https://cdn.example/${file}` })),
  fc.constant({ format: "LOCATION" as const }),
);

const urlButton: fc.Arbitrary<ButtonDraft> = fc.tuple(label, word, fc.option(sample, { nil: undefined })).map(([text, path, value]) =>
  value === undefined
    ? { type: "URL", text, url: `https://shop.example/${path}`, example: "" }
    : { type: "URL", text, url: `https://shop.example/${path}/{{1}}`, example: `https://shop.example/${path}/${value.replace(/ /g, "-")}` },
);
const phoneButton = fc.tuple(label, fc.stringMatching(/^\+[1-9]\d{7,14}$/)).map(([text, phoneNumber]): ButtonDraft => ({ type: "PHONE_NUMBER", text, phoneNumber }));
const quickReplies = fc.array(label.map((text): ButtonDraft => ({ type: "QUICK_REPLY", text })), { maxLength: 4 });
const buttons: fc.Arbitrary<ButtonDraft[]> = fc
  .tuple(quickReplies, fc.array(urlButton, { maxLength: 2 }), fc.array(phoneButton, { maxLength: 1 }), fc.boolean())
  .map(([qr, urls, phones, qrFirst]) => (qrFirst ? [...qr, ...urls, ...phones] : [...urls, ...phones, ...qr]));

const validDraft: fc.Arbitrary<TemplateDraft> = fc.oneof(
  fc.record({
    name: fc.stringMatching(/^[a-z0-9_]{1,30}$/),
    language: fc.constantFrom("en", "en_US", "de", "pt_BR", "zh_CN"),
    category: fc.constantFrom("MARKETING" as const, "UTILITY" as const),
    allowCategoryChange: fc.boolean(),
    header,
    text: bodyAndExamples,
    footer: fc.oneof(fc.constant(""), words(1, 5)),
    buttons,
  }).map(({ text, ...rest }) => ({ ...emptyDraft(), ...rest, ...text })),
  fc.record({
    name: fc.stringMatching(/^[a-z0-9_]{1,30}$/),
    language: fc.constantFrom("en", "de", "es_MX"),
    allowCategoryChange: fc.boolean(),
    addSecurityRecommendation: fc.boolean(),
    codeExpirationMinutes: fc.option(fc.integer({ min: 1, max: 90 }), { nil: null }),
    otpText: fc.oneof(fc.constant(""), label),
  }).map(({ otpText, ...rest }) => ({
    ...emptyDraft(),
    ...rest,
    category: "AUTHENTICATION" as const,
    buttons: [{ type: "OTP" as const, otpType: "COPY_CODE" as const, text: otpText }],
  })),
);

describe("round trip", () => {
  it("fromComponents(toComponents(d)) equals d for every valid draft", () => {
    fc.assert(
      fc.property(validDraft, (d) => {
        expect(hasErrors(lintTemplate(d)), JSON.stringify(lintTemplate(d))).toBe(false);
        const back = fromComponents({ name: d.name, language: d.language, category: d.category, components: toComponents(d), allowCategoryChange: d.allowCategoryChange });
        expect(back).toEqual(d);
      }),
      { numRuns: 500 },
    );
  });
});
