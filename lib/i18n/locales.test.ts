import { describe, expect, it } from "vitest";
import { chooseLocale, closestLocale, localeFromAcceptLanguage } from "./locales";

describe("closestLocale", () => {
  it("takes the same tag, else the same language", () => {
    expect(closestLocale("es-MX")).toBe("es");
    expect(closestLocale("es_419")).toBe("es");
    expect(closestLocale("pt-PT")).toBe("pt-BR");
    expect(closestLocale("pt")).toBe("pt-BR");
    expect(closestLocale("PT-br")).toBe("pt-BR");
    expect(closestLocale("de-AT")).toBe("de");
    expect(closestLocale("en-US")).toBe("en");
    expect(closestLocale("fr-FR")).toBeNull();
    expect(closestLocale("")).toBeNull();
    expect(closestLocale("de;q=1")).toBeNull();
    expect(closestLocale("*")).toBeNull();
  });
});

describe("localeFromAcceptLanguage", () => {
  it("takes the highest q first, then the order, matching each entry by language", () => {
    expect(localeFromAcceptLanguage("fr-FR, es-MX;q=0.8, en;q=0.5")).toBe("es");
    expect(localeFromAcceptLanguage("pt-PT,pt;q=0.9")).toBe("pt-BR");
    expect(localeFromAcceptLanguage("en;q=0.2, de-AT;q=0.9")).toBe("de");
    expect(localeFromAcceptLanguage("DE")).toBe("de");
    expect(localeFromAcceptLanguage("de;q=0, fr")).toBeNull();
    expect(localeFromAcceptLanguage("fr, it")).toBeNull();
    expect(localeFromAcceptLanguage(null)).toBeNull();
    expect(localeFromAcceptLanguage(";;;,=q,es;q=abc")).toBe("es"); // a malformed q is ignored, the tag still counts
  });
});

describe("chooseLocale", () => {
  it("explicit choice > the client's recorded language > Accept-Language > partner default > English", () => {
    const all = { query: "es", cookie: "de", preferred: "pt-BR", acceptLanguage: "de-AT", partnerDefault: "pt-BR" };
    expect(chooseLocale(all)).toBe("es");
    expect(chooseLocale({ ...all, query: undefined })).toBe("de");
    expect(chooseLocale({ ...all, query: "xx", cookie: null })).toBe("pt-BR");
    expect(chooseLocale({ acceptLanguage: "es-MX,en;q=0.5", partnerDefault: "de" })).toBe("es");
    expect(chooseLocale({ acceptLanguage: "fr", partnerDefault: "de" })).toBe("de");
    expect(chooseLocale({ acceptLanguage: "fr", partnerDefault: "zz" })).toBe("en");
    expect(chooseLocale({ query: ["de"], acceptLanguage: "pt-BR" })).toBe("pt-BR"); // a repeated ?lang is no choice
    expect(chooseLocale({})).toBe("en");
  });
});
