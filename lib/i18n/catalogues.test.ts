import { TYPE, parse, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLIENT_ERROR_CODES, clientErrorKey, failure, failureError, startRefusal } from "../onboarding/outcomes";
import { DEFAULT_LOCALE, LOCALES } from "./locales";

// The catalogues (messages/<locale>.json, docs/i18n.md §4) read from disk as the build reads them: every locale has
// exactly the keys English has, and every message takes the same ICU arguments (name and kind) in every locale.

const DIR = path.join(import.meta.dirname, "../../messages");
type Tree = { [key: string]: string | Tree };
const catalogue = (file: string): Tree => JSON.parse(readFileSync(path.join(DIR, file), "utf8")) as Tree;
const catalogues = Object.fromEntries(LOCALES.map((l) => [l, catalogue(`${l}.json`)])) as Record<string, Tree>;

function leaves(tree: Tree, prefix = ""): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]): [string, string][] =>
    typeof value === "string" ? [[`${prefix}${key}`, value]] : leaves(value, `${prefix}${key}.`),
  );
}

/** "count:plural", "brand:argument", … : what a caller must pass, and how the message uses it. */
function argumentsOf(elements: MessageFormatElement[]): string[] {
  const out = new Set<string>();
  const walk = (els: MessageFormatElement[]) => {
    for (const el of els) {
      if (el.type === TYPE.argument) out.add(`${el.value}:argument`);
      else if (el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) out.add(`${el.value}:${TYPE[el.type]}`);
      else if (el.type === TYPE.plural || el.type === TYPE.select) {
        out.add(`${el.value}:${el.type === TYPE.plural ? (el.pluralType ?? "cardinal") : "select"}`);
        for (const option of Object.values(el.options)) walk(option.value);
      } else if (el.type === TYPE.tag) walk(el.children);
    }
  };
  walk(elements);
  return [...out].sort();
}

describe("message catalogues", () => {
  it("exist for exactly the supported locales", () => {
    expect(readdirSync(DIR).sort()).toEqual(LOCALES.map((l) => `${l}.json`).sort());
  });

  const reference = leaves(catalogues[DEFAULT_LOCALE]!);

  it.each(LOCALES.filter((l) => l !== DEFAULT_LOCALE))("%s has every key English has, and no other", (locale) => {
    const keys = leaves(catalogues[locale]!).map(([k]) => k);
    const missing = reference.map(([k]) => k).filter((k) => !keys.includes(k));
    const extra = keys.filter((k) => !reference.some(([r]) => r === k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each(LOCALES)("%s: every message parses as ICU, with no empty text", (locale) => {
    for (const [key, text] of leaves(catalogues[locale]!)) {
      expect(text.trim(), key).not.toBe("");
      expect(() => parse(text), key).not.toThrow();
    }
  });

  it.each(LOCALES.filter((l) => l !== DEFAULT_LOCALE))("%s: every message takes the same ICU arguments as English", (locale) => {
    const other = new Map(leaves(catalogues[locale]!));
    const differing = reference
      .filter(([key]) => other.has(key))
      .map(([key, text]) => ({ key, en: argumentsOf(parse(text)), [locale]: argumentsOf(parse(other.get(key)!)) }))
      .filter((row) => JSON.stringify(row.en) !== JSON.stringify(row[locale]));
    expect(differing).toEqual([]);
  });

  it("the argument check sees a renamed placeholder and a plural turned into plain text", () => {
    expect(argumentsOf(parse("Give {brand} access"))).not.toEqual(argumentsOf(parse("Gib {marke} Zugriff")));
    expect(argumentsOf(parse("{n, plural, one {# minute} other {# minutes}}"))).toEqual(["n:cardinal"]);
    expect(argumentsOf(parse("{n} minutes"))).toEqual(["n:argument"]);
  });
});

describe("refusals a client can meet", () => {
  it("have words in every catalogue, and the API answers with the English ones", () => {
    for (const code of CLIENT_ERROR_CODES) {
      const key = clientErrorKey(code)!;
      for (const locale of LOCALES) expect(new Map(leaves(catalogues[locale]!)).get(key), `${locale} ${key}`).toBeTruthy();
    }
    const closed = startRefusal("forbidden:onboarding");
    expect(closed.publicMessage).toBe(new Map(leaves(catalogues.en!)).get("errors.forbidden.onboarding"));
    const foreign = failureError(failure("state_foreign_browser"));
    expect(foreign).toMatchObject({ code: "forbidden:state_foreign_browser", status: 403 });
    expect(foreign.publicMessage).toMatch(/different browser/);
    expect(clientErrorKey("invalid")).toBeNull();
    expect(clientErrorKey(undefined)).toBeNull();
    expect(clientErrorKey("forbidden:somebody_elses")).toBeNull();
  });
});
