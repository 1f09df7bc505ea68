import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateTemplate } from "../../sandbox/template-rules";
import { toComponents } from "./components";
import { emptyDraft, type ButtonDraft, type HeaderDraft, type TemplateDraft } from "./draft";
import { findingsFor, hasErrors, lintTemplate, type Finding } from "./lint";
import { RULES, type RuleId } from "./rules";

const utility: TemplateDraft = {
  ...emptyDraft(),
  name: "order_update",
  language: "en_US",
  category: "UTILITY",
  body: "Hello {{1}}, your order {{2}} has shipped today.",
  bodyExamples: ["Anna", "A-17"],
};
const auth: TemplateDraft = {
  ...emptyDraft(),
  name: "login_code",
  language: "en",
  category: "AUTHENTICATION",
  codeExpirationMinutes: 10,
  buttons: [{ type: "OTP", otpType: "COPY_CODE", text: "Copy code" }],
};
const qr = (text: string): ButtonDraft => ({ type: "QUICK_REPLY", text });
const url = (u: string, example = ""): ButtonDraft => ({ type: "URL", text: "Open", url: u, example });
const phone = (phoneNumber: string): ButtonDraft => ({ type: "PHONE_NUMBER", text: "Call us", phoneNumber });
const text = (t: string, example = ""): HeaderDraft => ({ format: "TEXT", text: t, example });
const body = (b: string, bodyExamples = utility.bodyExamples): Partial<TemplateDraft> => ({ body: b, bodyExamples });

type Row = [string, TemplateDraft, { field: string; rule: RuleId; severity: "error" | "warning" }];
const row = (rule: RuleId, field: string, change: Partial<TemplateDraft>, from = utility, severity: "error" | "warning" = RULES[rule].severity): Row => [
  `${rule} @ ${field}`,
  { ...from, ...change },
  { field, rule, severity },
];

const rows: Row[] = [
  row("name-required", "name", { name: "" }),
  row("name-charset", "name", { name: "Order-Update" }),
  row("name-length", "name", { name: "a".repeat(513) }),
  row("language-format", "language", { language: "english" }),
  row("category-invalid", "category", { category: "PROMO" as TemplateDraft["category"] }),
  row("header-format", "header.format", { header: { format: "SLIDE" } as unknown as HeaderDraft }),
  row("gif-header-category", "header.format", { header: { format: "GIF", example: "https://cdn.example.com/sample.mp4" } }),
  row("variables-mixed", "body", body("Hello {{1}}, your order {{order_id}} has shipped today.", ["Anna"])),
  row("param-name-length", "body", body(`Hello {{${"a".repeat(61)}}}, your order has shipped today.`, ["Anna"])),
  row("header-text-required", "header.text", { header: text("  ") }),
  row("header-length", "header.text", { header: text("x".repeat(61)) }),
  row("header-variables", "header.text", { header: text("Order {{1}} of {{2}}", "A-17") }),
  row("header-newline", "header.text", { header: text("Order\nupdate") }),
  row("header-formatting", "header.text", { header: text("*Order* update") }),
  row("header-emoji", "header.text", { header: text("Order update 📦") }),
  row("placeholder-malformed", "header.text", { header: text("Order {{Number}}") }),
  row("example-missing", "header.example", { header: text("Order {{1}}") }),
  row("example-missing", "header.example", { header: { format: "IMAGE", example: " " } }),
  row("placeholder-malformed", "body", body("Hello {{1}}, your order {{ 2 }} has shipped today.")),
  row("example-missing", "bodyExamples.1", body(utility.body, ["Anna", " "])),
  row("example-format", "bodyExamples.0", body(utility.body, ["An\nna", "A-17"])),
  row("body-required", "body", body("  ")),
  row("body-length", "body", body("x".repeat(1025), [])),
  row("variables-sequential", "body", body("Hello {{1}}, your order {{3}} has shipped today.", ["Anna", "", "A-17"])),
  row("variables-order", "body", body("Hello {{2}}, your order {{1}} has shipped today.")),
  row("variable-repeated", "body", body("Hello {{1}}, order {{2}} for {{1}} has shipped today.")),
  row("variable-at-start", "body", body("{{1}}, your order {{2}} has shipped today as planned.")),
  row("variable-at-end", "body", body("Hello {{1}}, your order has shipped today, see {{2}}")),
  row("variable-at-end", "body", body("Hello {{1}}, your order has shipped today, see {{2}}!"), utility, "warning"),
  row("variables-adjacent", "body", body("Hello {{1}}{{2}}, your order has shipped today.")),
  row("too-many-variables", "body", body("Hi {{1}}, see {{2}} now.")),
  row("body-all-caps", "body", body("HELLO {{1}}, YOUR ORDER {{2}} HAS SHIPPED TODAY.")),
  row("promotional-under-utility", "body", body("Hello {{1}}, your order {{2}} shipped with a 20% off voucher.")),
  row("promotional-under-utility", "footer", { footer: "Kostenlos abbestellen" }),
  row("url-shortener", "body", body("Hello {{1}}, your order {{2}} has shipped, see bit.ly/abc today.")),
  row("footer-length", "footer", { footer: "x".repeat(61) }),
  row("footer-variables", "footer", { footer: "Bye {{1}}" }),
  row("button-count", "buttons", { buttons: Array.from({ length: 11 }, (_, i) => qr(`Choice ${i}`)) }),
  row("button-count", "buttons", { buttons: [url("https://a.example/"), url("https://b.example/"), url("https://c.example/")] }),
  row("button-count", "buttons", { buttons: [phone("+4930123456"), phone("+4930123457")] }),
  row("button-mix", "buttons", { buttons: [qr("Yes"), url("https://a.example/"), qr("No")] }),
  row("button-text-required", "buttons.0.text", { buttons: [qr(" ")] }),
  row("button-text-length", "buttons.0.text", { buttons: [qr("x".repeat(26))] }),
  row("button-text-variables", "buttons.0.text", { buttons: [qr("Hi {{1}}")] }),
  row("url-format", "buttons.0.url", { buttons: [url("shop.example/track")] }),
  row("url-variable", "buttons.0.url", { buttons: [url("https://x.example/{{1}}/track", "https://x.example/1/track")] }),
  row("example-missing", "buttons.0.example", { buttons: [url("https://x.example/t/{{1}}")] }),
  row("url-example-mismatch", "buttons.0.example", { buttons: [url("https://x.example/t/{{1}}", "https://other.example/t/1")] }),
  row("url-shortener", "buttons.0.url", { buttons: [url("https://bit.ly/abc")] }),
  row("phone-format", "buttons.0.phoneNumber", { buttons: [phone("030 123456")] }),
  row("otp-outside-authentication", "buttons", { buttons: [{ type: "OTP", otpType: "COPY_CODE", text: "Copy" }] }),
  row("otp-one-tap-unsupported", "buttons", { buttons: [{ type: "OTP", otpType: "ONE_TAP", text: "Autofill" }] }, auth),
  row("auth-buttons", "buttons", { buttons: [] }, auth),
  row("auth-header", "header.format", { header: text("Your code") }, auth),
  row("auth-body-text", "body", { body: "Your code is {{1}}." }, auth),
  row("auth-footer-text", "footer", { footer: "Thanks" }, auth),
  row("code-expiration", "codeExpirationMinutes", { codeExpirationMinutes: 91 }, auth),
];

const keyOf = (f: Pick<Finding, "field" | "rule" | "severity">) => ({ field: f.field, rule: f.rule, severity: f.severity });

describe("lintTemplate: named variables (docs/templates-meta.md §3)", () => {
  const named: TemplateDraft = {
    ...utility,
    header: text("Order {{order_id}}", "A-17"),
    body: "Hello {{customer_name}}, your order {{order_id}} has shipped today.",
    bodyExamples: ["Anna", "A-17"],
  };
  it("accepts a template written with names only", () => {
    expect(lintTemplate(named)).toEqual([]);
  });
  it("names the variable whose sample is missing", () => {
    expect(lintTemplate({ ...named, bodyExamples: ["Anna", ""] })).toEqual([
      expect.objectContaining({ rule: "example-missing", field: "bodyExamples.1", message: expect.stringContaining("{{order_id}}") }),
    ]);
  });
  it("refuses a header with a number and a body with names", () => {
    expect(lintTemplate({ ...named, header: text("Order {{1}}", "A-17") }).map((f) => f.rule)).toEqual(["variables-mixed"]);
  });
  it("refuses names with capitals or spaces as malformed", () => {
    expect(lintTemplate({ ...named, body: "Hello {{Customer}}, your order {{ order_id }} has shipped today." }).map((f) => f.rule)).toContain("placeholder-malformed");
  });
});

describe("lintTemplate: one row per rule", () => {
  it.each(rows)("%s", (_name, draft, expected) => {
    expect(lintTemplate(draft).map(keyOf)).toEqual([expected]);
  });

  it("has a row for every rule of the table", () => {
    const covered = new Set(rows.map(([, , e]) => e.rule));
    expect(Object.keys(RULES).filter((r) => !covered.has(r as RuleId))).toEqual([]);
  });

  it("writes one plain sentence naming the limit and what to do", () => {
    const [finding] = lintTemplate({ ...utility, body: `${utility.body} ${"x".repeat(1024 - utility.body.length + 6)}` });
    expect(finding?.message).toBe("The body has 1,031 characters; WhatsApp allows 1,024. Shorten it by 7.");
  });

  it("reports every problem at once", () => {
    const rules = lintTemplate({ ...utility, name: "", language: "", footer: "{{1}}", buttons: [qr(""), phone("1")] }).map((f) => f.rule);
    expect(rules).toEqual(["name-required", "language-format", "footer-variables", "button-text-required", "phone-format"]);
  });
});

const valid: [string, TemplateDraft][] = [
  [
    "a realistic order update",
    {
      ...utility,
      header: text("Order {{1}} is on its way", "A-17"),
      body: "Hi {{1}},\n\nyour order *{{2}}* left our warehouse today and should arrive by {{3}}.\nReply if anything looks wrong.",
      bodyExamples: ["Anna", "A-17", "Friday"],
      footer: "Müller GmbH customer service",
      buttons: [qr("Track my order"), qr("Talk to a person")],
    },
  ],
  [
    "a marketing offer with a URL button",
    {
      ...utility,
      name: "spring_sale_2025",
      language: "de",
      category: "MARKETING",
      header: { format: "IMAGE", example: "https://cdn.example/spring.jpg" },
      body: "Hallo {{1}}, nur diese Woche: 20% Rabatt auf alle Gartenmöbel mit dem Gutschein {{2}} im Shop.",
      bodyExamples: ["Anna", "SPRING20"],
      footer: "Abmelden: STOP antworten",
      buttons: [url("https://shop.example/sale/{{1}}", "https://shop.example/sale/spring"), phone("+4930123456789"), qr("Stop")],
    },
  ],
  ["an authentication code", { ...auth, addSecurityRecommendation: true }],
  ["a body of exactly 1,024 characters", { ...utility, ...body("x".repeat(1024), []) }],
  ["a header of exactly 60 characters", { ...utility, header: text("x".repeat(60)) }],
  ["a button label of exactly 25 characters", { ...utility, buttons: [qr("x".repeat(25))] }],
  ["an expiry of 90 minutes", { ...auth, codeExpirationMinutes: 90 }],
];

describe("lintTemplate: valid drafts", () => {
  it.each(valid)("%s has no findings", (_name, draft) => {
    expect(lintTemplate(draft)).toEqual([]);
  });

  it.each(valid)("%s passes the sandbox's server check", (_name, draft) => {
    expect(() => validateTemplate({ ...draft, components: toComponents(draft) }, () => false)).not.toThrow();
  });

  it.each<[string, TemplateDraft, RuleId]>([
    ["body", { ...utility, ...body("x".repeat(1025), []) }, "body-length"],
    ["header", { ...utility, header: text("x".repeat(61)) }, "header-length"],
    ["button label", { ...utility, buttons: [qr("x".repeat(26))] }, "button-text-length"],
  ])("one character over the %s limit fails", (_name, draft, rule) => {
    expect(lintTemplate(draft).map((f) => f.rule)).toEqual([rule]);
  });
});

describe("findingsFor and hasErrors", () => {
  const findings = lintTemplate({ ...utility, name: "", buttons: [qr(""), qr("x".repeat(30))] });

  it("matches a field and its children only", () => {
    expect(findingsFor(findings, "buttons").map((f) => f.field)).toEqual(["buttons.0.text", "buttons.1.text"]);
    expect(findingsFor(findings, "buttons.1").map((f) => f.rule)).toEqual(["button-text-length"]);
    expect(findingsFor(findings, "button")).toEqual([]);
    expect(findingsFor(findings, "name").map((f) => f.rule)).toEqual(["name-required"]);
  });

  it("counts errors, not warnings", () => {
    expect(hasErrors(findings)).toBe(true);
    expect(hasErrors(lintTemplate({ ...utility, header: text("Update 📦") }))).toBe(false);
  });
});

// ---- Properties: the portal is at least as strict as the server, and never throws.

const edgy = fc.string({ unit: fc.constantFrom("a", "Z", " ", "{", "}", "1", "2", "*", "\n", "_", "~", "é", "📦", ".", "/", ":", "h", "t", "p", "s", "+", "0", "%"), maxLength: 70 });
const some = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 5 }, { arbitrary: bad, weight: 1 });
const words = fc.array(fc.stringMatching(/^[A-Za-z][a-z]{0,7}$/), { minLength: 3, maxLength: 8 }).map((w) => w.join(" "));
const sample = fc.stringMatching(/^[A-Za-z0-9]{1,10}$/);
const goodBody = fc
  .tuple(words, words, words, fc.constantFrom("", " {{1}} ", " {{1}} and {{2}} ", " {{2}} "))
  .map(([a, b, c, vars]) => `${a}${vars || " "}${b}, ${c}.`);
const headerArb: fc.Arbitrary<HeaderDraft> = fc.oneof(
  fc.constant({ format: "NONE" as const }),
  fc.record({ format: fc.constant("TEXT" as const), text: some(fc.constantFrom("Your order", "Order {{1}}"), edgy), example: some(sample, edgy) }),
  fc.record({ format: fc.constantFrom("IMAGE" as const, "VIDEO" as const, "DOCUMENT" as const), example: some(fc.constant("https://cdn.example/a.png"), edgy) }),
  fc.constant({ format: "LOCATION" as const }),
);
const buttonArb: fc.Arbitrary<ButtonDraft> = fc.oneof(
  fc.record({ type: fc.constant("QUICK_REPLY" as const), text: some(fc.constant("Yes"), edgy) }),
  fc.record({
    type: fc.constant("URL" as const),
    text: some(fc.constant("Open"), edgy),
    url: some(fc.constantFrom("https://shop.example/a", "https://shop.example/a/{{1}}"), edgy),
    example: some(fc.constant("https://shop.example/a/x1"), edgy),
  }),
  fc.record({ type: fc.constant("PHONE_NUMBER" as const), text: some(fc.constant("Call"), edgy), phoneNumber: some(fc.constant("+4930123456"), edgy) }),
  fc.record({ type: fc.constant("OTP" as const), otpType: fc.constantFrom("COPY_CODE" as const, "ONE_TAP" as const), text: some(fc.constant(""), edgy) }),
  fc
    .constantFrom<Record<string, unknown>>(
      { type: "COPY_CODE", example: "SAVE20" },
      { type: "FLOW", text: "Book now", flow_id: "1234567890", navigate_screen: "WELCOME", flow_action: "navigate" },
      { type: "CATALOG", text: "View catalog" },
      { type: "MPM", text: "View items" },
    )
    .map((raw): ButtonDraft => ({ type: "KEPT", kind: String(raw.type), text: typeof raw.text === "string" ? raw.text : "", raw })),
);
const nearlyValid: fc.Arbitrary<TemplateDraft> = fc.record({
  name: some(fc.stringMatching(/^[a-z0-9_]{1,20}$/), edgy),
  language: some(fc.constantFrom("en", "en_US", "pt_BR"), edgy),
  category: fc.constantFrom("MARKETING" as const, "UTILITY" as const, "AUTHENTICATION" as const),
  allowCategoryChange: fc.boolean(),
  header: headerArb,
  body: some(goodBody, edgy),
  bodyExamples: fc.array(some(sample, edgy), { maxLength: 3 }),
  footer: some(fc.constantFrom("", "Thanks for your order"), edgy),
  buttons: fc.array(buttonArb, { maxLength: 3 }),
  addSecurityRecommendation: fc.boolean(),
  codeExpirationMinutes: fc.option(fc.integer({ min: -5, max: 100 }), { nil: null }),
  keptComponents: fc.constant([]),
});

describe("lintTemplate: properties", () => {
  it("every lint-clean draft passes the sandbox's validateTemplate", () => {
    let clean = 0;
    fc.assert(
      fc.property(nearlyValid, (draft) => {
        if (hasErrors(lintTemplate(draft))) return;
        clean++;
        try {
          validateTemplate({ name: draft.name, language: draft.language, category: draft.category, components: toComponents(draft) }, () => false);
        } catch (error) {
          throw new Error(`sandbox refused a lint-clean draft: ${JSON.stringify((error as { body?: unknown }).body)}`);
        }
      }),
      { numRuns: 3000 },
    );
    // The generator must actually reach lint-clean drafts, or this test proves nothing.
    expect(clean).toBeGreaterThan(300);
  });

  it("never throws on hostile input and only reports rules of the table", () => {
    const anyDraft = fc.oneof(
      fc.record({
        name: fc.string(),
        language: fc.string(),
        category: fc.string(),
        allowCategoryChange: fc.boolean(),
        header: fc.record({ format: fc.oneof(fc.constantFrom("NONE", "TEXT", "IMAGE", "LOCATION"), fc.string()), text: fc.string(), example: fc.string() }),
        body: fc.string({ maxLength: 2000 }),
        bodyExamples: fc.array(fc.string()),
        footer: fc.string(),
        buttons: fc.array(
          fc.record({ type: fc.oneof(fc.constantFrom("QUICK_REPLY", "URL", "PHONE_NUMBER", "OTP"), fc.string()), text: fc.string(), url: fc.string(), example: fc.string(), phoneNumber: fc.string(), otpType: fc.string() }),
        ),
        addSecurityRecommendation: fc.boolean(),
        codeExpirationMinutes: fc.oneof(fc.constant(null), fc.double()),
      }),
      fc.anything(),
    );
    fc.assert(
      fc.property(anyDraft, (draft) => {
        for (const f of lintTemplate(draft as TemplateDraft)) {
          expect(Object.keys(RULES)).toContain(f.rule);
          expect(f.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
