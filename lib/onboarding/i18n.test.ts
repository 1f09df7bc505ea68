import { describe, expect, it } from "vitest";
import { chooseLang, dictionary, esStepWords, fill } from "./i18n";
import { failure, failureError, onboardingErrorWords, startRefusal } from "./outcomes";

describe("chooseLang", () => {
  it("takes ?lang first, then the preferred language, then Accept-Language by q, then the fallback", () => {
    expect(chooseLang({ query: "de", preferred: "en", acceptLanguage: "en", fallback: "en" })).toBe("de");
    expect(chooseLang({ query: "fr", preferred: "de", acceptLanguage: "en", fallback: "en" })).toBe("de");
    expect(chooseLang({ query: ["de"], acceptLanguage: "en-GB,en;q=0.9", fallback: "de" })).toBe("en");
    expect(chooseLang({ acceptLanguage: "fr-FR, de-AT;q=0.8, en;q=0.5", fallback: "en" })).toBe("de");
    expect(chooseLang({ acceptLanguage: "en;q=0.2, de;q=0.9", fallback: "en" })).toBe("de");
    expect(chooseLang({ acceptLanguage: "DE", fallback: "en" })).toBe("de");
    expect(chooseLang({ acceptLanguage: "de;q=0, fr", fallback: "en" })).toBe("en");
    expect(chooseLang({ acceptLanguage: "fr, es", fallback: "de" })).toBe("de");
    expect(chooseLang({ acceptLanguage: null, fallback: "de" })).toBe("de");
    expect(chooseLang({ acceptLanguage: ";;;,=q,de;q=abc", fallback: "en" })).toBe("de"); // a malformed q is ignored
  });
});

describe("strings", () => {
  it("has the same keys in English and German", () => {
    const keys = (value: unknown, prefix = ""): string[] =>
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? Object.entries(value).flatMap(([k, v]) => keys(v, `${prefix}${k}.`))
        : [`${prefix}${Array.isArray(value) ? value.length : ""}`];
    expect(keys(dictionary("de"))).toEqual(keys(dictionary("en")));
  });

  it("fills placeholders as text and leaves unknown ones", () => {
    expect(fill("{brand} & {brand} <b>{x}</b>", { brand: "<Acme>" })).toBe("<Acme> & <Acme> <b>{x}</b>");
    expect(fill(dictionary("de").es.cancelled, { step: esStepWords("PHONE_NUMBER_SETUP", "de") })).toBe(
      "Sie haben bei „Eingabe Ihrer Telefonnummer“ aufgehört. Sie können erneut beginnen.",
    );
    expect(esStepWords("SOMETHING_NEW", "en")).toBe("one of the steps");
  });

  it("finds the client's words for a refusal by its error code, not by its English sentence", () => {
    const closed = startRefusal("forbidden:onboarding");
    expect(onboardingErrorWords(closed.code)?.de).toMatch(/^Die Anmeldung ist nur mit Einladung möglich/);
    expect(onboardingErrorWords(closed.code)?.en).toBe(closed.publicMessage);
    const foreign = failureError(failure("state_foreign_browser"));
    expect(foreign).toMatchObject({ code: "forbidden:state_foreign_browser", status: 403 });
    expect(onboardingErrorWords(foreign.code)).toEqual(failure("state_foreign_browser").message);
    expect(onboardingErrorWords("invalid")).toBeUndefined();
    expect(onboardingErrorWords(undefined)).toBeUndefined();
  });
});
