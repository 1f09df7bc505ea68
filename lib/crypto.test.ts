import { randomBytes } from "node:crypto";
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  DecryptError,
  decryptSecret,
  encryptSecret,
  keyIdOf,
  parseKeyring,
  rewrapSecret,
  type Keyring,
} from "./crypto";
import { generateKeySpec } from "./keyring";

/** Whether a stored value is sealed under another key than the keyring's first (what `npm run keys:rewrap` re-seals). */
const needsRewrap = (keyring: Keyring, stored: string): boolean => keyIdOf(stored) !== keyring[0].id;

const k1Spec = generateKeySpec("k1");
const k2Spec = generateKeySpec("k2");
const ring1 = parseKeyring(k1Spec);
const ring21 = parseKeyring(`${k2Spec},${k1Spec}`);
const ring2 = parseKeyring(k2Spec);

// Part indexes of the binary segments in v1.<kid>.<wdek>.<dek iv>.<dek tag>.<iv>.<tag>.<ct>.
const BINARY_PARTS = [2, 3, 4, 5, 6, 7] as const;
const anyText = fc.string({ unit: "binary", maxLength: 200 });

function withPart(stored: string, index: number, value: string): string {
  const parts = stored.split(".");
  parts[index] = value;
  return parts.join(".");
}

function part(stored: string, index: number): string {
  const value = stored.split(".")[index];
  if (value === undefined) throw new Error(`no part ${index}`);
  return value;
}

function decryptError(fn: () => unknown): DecryptError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DecryptError) return error;
    throw new Error(`expected DecryptError, got ${String(error)}`);
  }
  throw new Error("expected DecryptError, nothing was thrown");
}

describe("encryptSecret / decryptSecret", () => {
  it("round-trips arbitrary unicode plaintext and AAD, including empty strings", () => {
    fc.assert(
      fc.property(anyText, anyText, (plaintext, aad) => {
        const stored = encryptSecret(ring1, plaintext, aad);
        expect(stored.split(".")).toHaveLength(8);
        expect(keyIdOf(stored)).toBe("k1");
        expect(decryptSecret(ring1, stored, aad)).toBe(plaintext);
      }),
      { numRuns: 1_000 },
    );
    expect(decryptSecret(ring1, encryptSecret(ring1, "", ""), "")).toBe("");
  });

  it("rejects any single flipped bit in any binary segment", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", minLength: 1, maxLength: 64 }),
        anyText,
        fc.constantFrom(...BINARY_PARTS),
        fc.nat(),
        (plaintext, aad, index, bit) => {
          const stored = encryptSecret(ring1, plaintext, aad);
          const bytes = Buffer.from(part(stored, index), "base64url");
          const at = bit % (bytes.length * 8);
          bytes[at >> 3] = (bytes[at >> 3] ?? 0) ^ (1 << (at & 7));
          const tampered = withPart(stored, index, bytes.toString("base64url"));
          expect(tampered).not.toBe(stored);
          expect(decryptError(() => decryptSecret(ring1, tampered, aad)).reason).toBe("auth_failed");
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("rejects any single flipped bit of any character of the stored string", () => {
    const ring = parseKeyring(`${k1Spec},${generateKeySpec("k3")}`);
    fc.assert(
      fc.property(anyText, anyText, fc.nat(), fc.integer({ min: 0, max: 7 }), (plaintext, aad, pos, bit) => {
        const stored = encryptSecret(ring, plaintext, aad);
        const at = pos % stored.length;
        const tampered = stored.slice(0, at) + String.fromCharCode(stored.charCodeAt(at) ^ (1 << bit)) + stored.slice(at + 1);
        expect(decryptError(() => decryptSecret(ring, tampered, aad))).toBeInstanceOf(DecryptError);
      }),
      { numRuns: 1_000 },
    );
  });

  it("rejects any change to the AAD", () => {
    fc.assert(
      fc.property(anyText, anyText, anyText, (plaintext, aad, otherAad) => {
        fc.pre(aad !== otherAad);
        const stored = encryptSecret(ring1, plaintext, aad);
        expect(decryptError(() => decryptSecret(ring1, stored, otherAad)).reason).toBe("auth_failed");
      }),
      { numRuns: 1_000 },
    );
  });

  it("rejects ciphertext moved to another row", () => {
    const stored = encryptSecret(ring1, "sk_live_secret", "api_keys|chanA|1");
    expect(decryptSecret(ring1, stored, "api_keys|chanA|1")).toBe("sk_live_secret");
    const error = decryptError(() => decryptSecret(ring1, stored, "api_keys|chanB|1"));
    expect(error.message).not.toContain("sk_live_secret");
    expect(decryptError(() => decryptSecret(ring1, stored, "api_keys|chanA|2")).reason).toBe("auth_failed");
  });

  it("rejects a value whose data segments were grafted onto another envelope", () => {
    const a = encryptSecret(ring1, "alpha", "row");
    const b = encryptSecret(ring1, "bravo", "row");
    const graft = [...a.split(".").slice(0, 5), ...b.split(".").slice(5)].join(".");
    expect(decryptError(() => decryptSecret(ring1, graft, "row")).reason).toBe("auth_failed");
  });

  it("rejects unknown key ids and a kid relabelled to another known key", () => {
    const stored = encryptSecret(ring1, "secret", "aad");
    const unknown = decryptError(() => decryptSecret(ring2, stored, "aad"));
    expect(unknown.reason).toBe("unknown_key");
    expect(unknown.message).toContain("k1");
    const relabelled = withPart(stored, 1, "k2");
    expect(decryptError(() => decryptSecret(ring21, relabelled, "aad")).reason).toBe("auth_failed");
    // Even when two ids hold the same key material, the wrapped DEK is bound to its own id.
    const sameKey = parseKeyring(`k2:${k1Spec.slice(3)},${k1Spec}`);
    expect(decryptSecret(sameKey, stored, "aad")).toBe("secret");
    expect(decryptError(() => decryptSecret(sameKey, relabelled, "aad")).reason).toBe("auth_failed");
  });

  it("rejects malformed strings with DecryptError only", () => {
    const good = encryptSecret(ring1, "secret", "aad");
    const iv = part(good, 5);
    const malformed = [
      "",
      ".",
      "v1",
      good.split(".").slice(0, 7).join("."),
      `${good}.AAAA`,
      `${good}.`,
      good.replace(/^v1\./, "v2."),
      good.replace(/^v1\./, "V1."),
      withPart(good, 1, ""),
      withPart(good, 1, "k 1"),
      withPart(good, 1, "k".repeat(33)),
      withPart(good, 5, "!!!!!!!!!!!!!!!!"),
      withPart(good, 5, `${iv}==`),
      withPart(good, 5, iv.replace(/-/g, "+").replace(/_/g, "/") + "+"),
      withPart(good, 5, Buffer.alloc(11).toString("base64url")),
      withPart(good, 4, Buffer.alloc(12).toString("base64url")),
      withPart(good, 2, Buffer.alloc(31).toString("base64url")),
      withPart(good, 7, "A"),
      withPart(good, 7, `${part(good, 7)}Z`),
      undefined as unknown as string,
      42 as unknown as string,
    ];
    // A 16-byte tag leaves 4 unused bits in its last character: setting one decodes to the same
    // bytes, so only the canonical-encoding check can reject it.
    const tag = part(good, 6);
    const nonCanonical = withPart(good, 6, tag.slice(0, -1) + String.fromCharCode(tag.charCodeAt(tag.length - 1) + 1));
    expect(Buffer.from(part(nonCanonical, 6), "base64url").equals(Buffer.from(tag, "base64url"))).toBe(true);
    expect(decryptError(() => decryptSecret(ring1, nonCanonical, "aad")).reason).toBe("malformed");
    for (const value of malformed) {
      expect(decryptError(() => decryptSecret(ring1, value, "aad"))).toBeInstanceOf(DecryptError);
      expect(decryptError(() => keyIdOf(value))).toBeInstanceOf(DecryptError);
    }
  });

  it("throws only DecryptError for arbitrary junk", () => {
    const segment = fc.oneof(fc.string(), fc.base64String(), fc.constant(""));
    const junk = fc.oneof(
      fc.string({ unit: "binary" }),
      fc.array(segment, { minLength: 6, maxLength: 6 }).map((parts) => ["v1", "k1", ...parts].join(".")),
    );
    fc.assert(
      fc.property(junk, (value) => {
        expect(decryptError(() => decryptSecret(ring1, value, "aad"))).toBeInstanceOf(DecryptError);
      }),
      { numRuns: 1_000 },
    );
  });

  it("rejects ill-formed (lone surrogate) plaintext and AAD instead of silently altering them", () => {
    expect(() => encryptSecret(ring1, "a\uD800", "aad")).toThrow(TypeError);
    expect(() => encryptSecret(ring1, "a", "\uDC00")).toThrow(TypeError);
  });

  it("never repeats a data IV across 100,000 encryptions", () => {
    const ivs = new Set<string>();
    const dekIvs = new Set<string>();
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const stored = encryptSecret(ring1, "x", "aad");
      ivs.add(part(stored, 5));
      dekIvs.add(part(stored, 3));
    }
    expect(ivs.size).toBe(n);
    expect(dekIvs.size).toBe(n);
  }, 30_000);
});

describe("rotation", () => {
  it("re-wraps resumably and idempotently, then decrypts without the old key", () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => {
      const aad = `api_keys|chan${i}|1`;
      const plaintext = `secret-${i}-${randomBytes(8).toString("hex")}`;
      return { aad, plaintext, stored: encryptSecret(ring1, plaintext, aad) };
    });
    expect(rows.every((row) => needsRewrap(ring21, row.stored))).toBe(true);
    expect(rows.some((row) => needsRewrap(ring1, row.stored))).toBe(false);

    const rewrap = (row: (typeof rows)[number]) => {
      if (needsRewrap(ring21, row.stored)) row.stored = rewrapSecret(ring21, row.stored, row.aad);
    };
    rows.slice(0, 500).forEach(rewrap);
    const afterCrash = rows.map((row) => row.stored);
    expect(afterCrash.filter((s) => keyIdOf(s) === "k2")).toHaveLength(500);

    rows.forEach(rewrap);
    rows.forEach((row, i) => {
      if (i < 500) {
        expect(row.stored).toBe(afterCrash[i]);
        expect(rewrapSecret(ring21, row.stored, row.aad)).toBe(row.stored);
      }
      expect(keyIdOf(row.stored)).toBe("k2");
      expect(needsRewrap(ring21, row.stored)).toBe(false);
      expect(decryptSecret(ring21, row.stored, row.aad)).toBe(row.plaintext);
      expect(decryptSecret(ring2, row.stored, row.aad)).toBe(row.plaintext);
    });
  });

  it("re-wraps only the DEK and refuses to re-wrap with the wrong AAD", () => {
    const stored = encryptSecret(ring1, "secret", "api_keys|chanA|1");
    const rewrapped = rewrapSecret(ring21, stored, "api_keys|chanA|1");
    expect(rewrapped.split(".").slice(5)).toEqual(stored.split(".").slice(5));
    expect(part(rewrapped, 2)).not.toBe(part(stored, 2));
    expect(decryptError(() => rewrapSecret(ring21, stored, "api_keys|chanB|1")).reason).toBe("auth_failed");
    expect(decryptError(() => rewrapSecret(ring2, stored, "api_keys|chanA|1")).reason).toBe("unknown_key");
  });

  it("encrypts new values under the first key", () => {
    expect(keyIdOf(encryptSecret(ring21, "v", "aad"))).toBe("k2");
  });
});

describe("parseKeyring", () => {
  const key = () => randomBytes(32);

  it("accepts id:key lists (newest first), a bare key, and base64url", () => {
    const a = key();
    const b = key();
    const ring = parseKeyring(` k2:${a.toString("base64")} , k1:${b.toString("base64")} `);
    expect(ring.map((k) => k.id)).toEqual(["k2", "k1"]);
    expect(ring[0].key.equals(a)).toBe(true);
    expect(ring[1]?.key.equals(b)).toBe(true);

    const bare = parseKeyring(a.toString("base64"));
    expect(bare).toHaveLength(1);
    expect(bare[0].id).toBe("k1");
    expect(bare[0].key.equals(a)).toBe(true);

    const url = parseKeyring(`prod_2025-01:${a.toString("base64url")}`);
    expect(url[0].id).toBe("prod_2025-01");
    expect(url[0].key.equals(a)).toBe(true);

    const migrated = parseKeyring(`k2:${a.toString("base64")},${b.toString("base64")}`);
    expect(migrated.map((k) => k.id)).toEqual(["k2", "k1"]);

    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), (bytes, urlSafe) => {
        const buf = Buffer.from(bytes);
        const parsed = parseKeyring(`k9:${buf.toString(urlSafe ? "base64url" : "base64")}`);
        expect(parsed[0].key.equals(buf)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("round-trips generateKeySpec output", () => {
    const spec = generateKeySpec("k7");
    expect(spec).toMatch(/^k7:[A-Za-z0-9+/]{43}=$/);
    const ring: Keyring = parseKeyring(spec);
    expect(ring[0].id).toBe("k7");
    expect(ring[0].key).toHaveLength(32);
    expect(generateKeySpec()).toMatch(/^k1:/);
    expect(() => generateKeySpec("bad id")).toThrow();
  });

  it("rejects bad specs, naming APP_ENCRYPTION_KEY and never echoing the key", () => {
    const good = key().toString("base64");
    const short = key().subarray(0, 16).toString("base64");
    const long = Buffer.concat([key(), key()]).toString("base64");
    const cases: Array<[spec: string, secret: string, mentions: RegExp]> = [
      ["", "", /empty/],
      ["   ", "", /empty/],
      [`k1:${short}`, short, /32 bytes \(got 16 bytes\)/],
      [short, short, /32 bytes/],
      [`k1:${long}`, long, /32 bytes \(got 64 bytes\)/],
      [`k1:${good},k1:${good}`, good, /"k1" more than once/],
      [`${good},${good}`, good, /"k1" more than once/],
      [`bad id:${good}`, good, /invalid key id/],
      [`${"x".repeat(33)}:${good}`, good, /invalid key id/],
      [`:${good}`, good, /invalid key id/],
      [`k1:${good},`, good, /entry 2 is empty/],
      [`k1:${good.slice(0, 20)}!${good.slice(21)}`, good.slice(0, 20), /outside base64/],
      [`k1:${good.slice(0, -1)}==`, good.slice(0, -1), /padding/],
      [`k1:`, "", /32 bytes/],
    ];
    for (const [spec, secret, mentions] of cases) {
      let message = "";
      try {
        parseKeyring(spec);
      } catch (error) {
        expect(error).toBeInstanceOf(Error);
        message = (error as Error).message;
      }
      expect(message, spec).toContain("APP_ENCRYPTION_KEY");
      expect(message, spec).toMatch(mentions);
      if (secret) expect(message, spec).not.toContain(secret.slice(0, 8));
    }
  });
});
