import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  IO_BASE_LOCAL,
  IO_BASE_V1,
  IO_BASE_V2,
  IO_QUERY_PARAMS,
  IoUrlError,
  buildIoUrl,
  buildPermissionsUrl,
  isIoNumber,
  type IoQueryOptions,
  type IoUrlOptions,
  IO_DEFAULT_LANGS,
  closestIoLang,
  parseIoLangs,
} from "./io";

const P = "aAbBcCPA";

function ioUrlError(fn: () => unknown): IoUrlError {
  try {
    fn();
  } catch (error) {
    if (error instanceof IoUrlError) return error;
    throw new Error(`expected IoUrlError, got ${String(error)}`);
  }
  throw new Error("expected IoUrlError, nothing was thrown");
}

// docs/hub-contract.md §1.2 written out independently: the package's loop over its (ordered) parameters.
function packageUrl(base: string, number: string | undefined, params: [string, string][]): string {
  let url = `${base}/${P}`;
  if (number) url += `?number=${number}`;
  params.forEach(([k, v], i) => {
    url += `${i === 0 && !number ? "?" : "&"}${k}=${encodeURIComponent(v)}`;
  });
  return url;
}

describe("buildIoUrl", () => {
  it("uses the default base of each variant and a configured base over both", () => {
    expect(buildIoUrl({ partnerId: P })).toBe("https://hub.360dialog.com/dashboard/app/aAbBcCPA");
    expect(buildIoUrl({ partnerId: P, variant: "v1" })).toBe(`${IO_BASE_V1}/aAbBcCPA`);
    expect(buildIoUrl({ partnerId: P, variant: "v2" })).toBe("https://app.360dialog.com/onboarding/aAbBcCPA");
    expect(buildIoUrl({ partnerId: P, variant: "v2", base: IO_BASE_LOCAL })).toBe("http://localhost:8082/dashboard/app/aAbBcCPA");
    expect(buildIoUrl({ partnerId: P, base: "https://staging-app.360dialog.com/onboarding/" })).toBe(
      "https://staging-app.360dialog.com/onboarding/aAbBcCPA",
    );
    expect(IO_BASE_V2).toBe("https://app.360dialog.com/onboarding");
  });

  it("puts number first, unencoded, then encoded parameters", () => {
    expect(buildIoUrl({ partnerId: P, variant: "v1", number: "+4915123456789", email: "a+b@example.com" })).toBe(
      "https://hub.360dialog.com/dashboard/app/aAbBcCPA?number=+4915123456789&email=a%2Bb%40example.com",
    );
    expect(buildIoUrl({ partnerId: P, variant: "v2", number: "4915123456789" })).toBe(
      "https://app.360dialog.com/onboarding/aAbBcCPA?number=4915123456789",
    );
  });

  it("encodes spaces, &, #, unicode and URLs in values; an empty string gives k=", () => {
    expect(
      buildIoUrl({
        partnerId: P,
        base: IO_BASE_LOCAL,
        name: "Acme & Söhne #1",
        state: "s_8fJ2-xQ",
        redirectUrl: "https://portal.example/onboarding/done?x=1&y=2",
        email: "",
      }),
    ).toBe(
      "http://localhost:8082/dashboard/app/aAbBcCPA?email=&name=Acme%20%26%20S%C3%B6hne%20%231&state=s_8fJ2-xQ" +
        "&redirect_url=https%3A%2F%2Fportal.example%2Fonboarding%2Fdone%3Fx%3D1%26y%3D2",
    );
    expect(buildIoUrl({ partnerId: P, variant: "v2", name: "日本 😀" })).toBe(
      "https://app.360dialog.com/onboarding/aAbBcCPA?name=%E6%97%A5%E6%9C%AC%20%F0%9F%98%80",
    );
  });

  it("emits every parameter in the documented order whatever the key order of the options", () => {
    const sig = "fkT/BHR8yM9pwMV5bfWa54Mjf/kSvscPh6CgT6ftaoI/9v1SECC5JswpyxoKFEVlHaDuj+3Q1RhbGDxg5cN7ag==";
    const url = buildIoUrl({
      ioTimestamp: "1775653748",
      ioSignature: sig,
      lang: "de",
      preverifiedPhoneNumberId: "109876543210",
      flow: "x",
      clientId: "exampleCL",
      connectClientUser: true,
      hostingType: "onpremise",
      planSelection: "premium",
      next: "login",
      partnerPayload: "tenant-42",
      redirectUrl: "https://p.example/r",
      state: "st",
      name: "N",
      email: "e@x.io",
      number: "+551146733492",
      variant: "v1",
      partnerId: P,
    });
    expect(url).toBe(
      "https://hub.360dialog.com/dashboard/app/aAbBcCPA?number=+551146733492&email=e%40x.io&name=N&state=st" +
        "&redirect_url=https%3A%2F%2Fp.example%2Fr&partner=tenant-42&next=login&plan_selection=premium" +
        "&hosting_type=onpremise&connect_client_user=true&client_id=exampleCL&flow=x" +
        "&preverified_phone_number_id=109876543210&lang=de" +
        "&io_signature=fkT%2FBHR8yM9pwMV5bfWa54Mjf%2FkSvscPh6CgT6ftaoI%2F9v1SECC5JswpyxoKFEVlHaDuj%2B3Q1RhbGDxg5cN7ag%3D%3D" +
        "&io_timestamp=1775653748",
    );
    expect(IO_QUERY_PARAMS.map(([, name]) => name)).toEqual([
      "email",
      "name",
      "state",
      "redirect_url",
      "partner",
      "next",
      "plan_selection",
      "hosting_type",
      "connect_client_user",
      "client_id",
      "flow",
      "preverified_phone_number_id",
      "lang",
      "io_signature",
      "io_timestamp",
    ]);
  });

  it("skips undefined values and connectClientUser: false", () => {
    expect(buildIoUrl({ partnerId: P, email: undefined, connectClientUser: false, clientId: "exampleCL" })).toBe(
      "https://hub.360dialog.com/dashboard/app/aAbBcCPA?client_id=exampleCL",
    );
  });

  it("matches the package's construction for any mix of parameters", () => {
    const value = fc.option(fc.string({ unit: "grapheme", maxLength: 30 }), { nil: undefined });
    const keys = IO_QUERY_PARAMS.filter(([key]) => key !== "connectClientUser" && key !== "ioSignature" && key !== "ioTimestamp");
    fc.assert(
      fc.property(
        fc.option(fc.stringMatching(/^\+?[0-9]{6,20}$/), { nil: undefined }),
        fc.array(value, { minLength: keys.length, maxLength: keys.length }),
        (number, values) => {
          const opts: Record<string, string | undefined> = {};
          const expected: [string, string][] = [];
          keys.forEach(([key, name], i) => {
            const v = values[i];
            opts[key] = v;
            if (v !== undefined) expected.push([name, v]);
          });
          const url = buildIoUrl({ partnerId: P, number, ...(opts as IoQueryOptions) });
          expect(url).toBe(packageUrl(IO_BASE_V1, number, expected));
          expect(url).not.toMatch(/[\s#]/);
          const parsed = new URL(url);
          expect(parsed.hash).toBe("");
          for (const [name, v] of expected) expect(parsed.searchParams.get(name)).toBe(v);
          expect([...parsed.searchParams.keys()]).toHaveLength(expected.length + (number ? 1 : 0));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("refuses a number that would need encoding or is not a phone number", () => {
    for (const number of ["", "12345", "+49 1512345678", "4915123&x=1", "#491512345", "49151234567890123456789", "++4915123456", "٤٩١٥١٢٣٤٥٦", "49151-2345"]) {
      expect(isIoNumber(number), number).toBe(false);
      const error = ioUrlError(() => buildIoUrl({ partnerId: P, number }));
      expect(error.code, number).toBe("bad_number");
      if (number.length > 3) expect(error.message).not.toContain(number);
    }
    expect(isIoNumber("+551146733492")).toBe(true);
    expect(isIoNumber("123456")).toBe(true);
  });

  it("refuses bad partner ids, bases, lone surrogates and half a signature", () => {
    for (const partnerId of ["", "a/b", "a?b", "a#b", "a b", "x".repeat(65)]) {
      expect(ioUrlError(() => buildIoUrl({ partnerId })).code, partnerId).toBe("bad_partner_id");
    }
    for (const base of ["not a url", "ftp://hub.example/app", "javascript:alert(1)", "https://hub.example/app?x=1", "https://hub.example/app#f", "https://u:p@hub.example/app"]) {
      expect(ioUrlError(() => buildIoUrl({ partnerId: P, base })).code, base).toBe("bad_base");
    }
    expect(ioUrlError(() => buildIoUrl({ partnerId: P, name: "a\uD800" })).code).toBe("bad_value");
    const half = { partnerId: P, ioSignature: "abc" } as unknown as IoUrlOptions;
    expect(ioUrlError(() => buildIoUrl(half)).code).toBe("bad_signature_pair");
    const wrongType = { partnerId: P, email: 42 } as unknown as IoUrlOptions;
    expect(ioUrlError(() => buildIoUrl(wrongType)).code).toBe("bad_value");
  });
});

describe("buildPermissionsUrl", () => {
  it("appends /permissions to the partner path, v1 base by default", () => {
    expect(buildPermissionsUrl({ partnerId: P })).toBe("https://hub.360dialog.com/dashboard/app/aAbBcCPA/permissions");
    expect(buildPermissionsUrl({ partnerId: P, base: IO_BASE_LOCAL, redirectUrl: "https://p.example/r", state: "abc" })).toBe(
      "http://localhost:8082/dashboard/app/aAbBcCPA/permissions?state=abc&redirect_url=https%3A%2F%2Fp.example%2Fr",
    );
    expect(buildPermissionsUrl({ partnerId: P, number: "+4915123456789", ioSignature: "ab", ioTimestamp: "1" })).toBe(
      "https://hub.360dialog.com/dashboard/app/aAbBcCPA/permissions?number=+4915123456789&io_signature=ab&io_timestamp=1",
    );
    expect(ioUrlError(() => buildPermissionsUrl({ partnerId: P, number: "49 15" })).code).toBe("bad_number");
  });
});

describe("the onboarding's lang", () => {
  it("is the closest accepted language of the client's locale, or none", () => {
    const accepted = parseIoLangs("en, de, pt")!;
    expect(IO_DEFAULT_LANGS).toEqual(["en", "de", "pt"]);
    expect(closestIoLang("pt-BR", accepted)).toBe("pt");
    expect(closestIoLang("de", accepted)).toBe("de");
    expect(closestIoLang("es", accepted)).toBeUndefined();
    expect(closestIoLang("es", parseIoLangs("en,es_ES")!)).toBe("es_ES");
    expect(closestIoLang("pt-BR", parseIoLangs("pt-PT, pt_BR")!)).toBe("pt_BR");
    expect(closestIoLang("en", [])).toBeUndefined();
    expect(parseIoLangs("")).toEqual([]);
    expect(parseIoLangs("en;de")).toBeNull();
  });
});
