import { createHmac } from "node:crypto";
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { signIo, verifyIoSignature, type IoSignatureEncoding } from "./io-signature";

const PARTNER = "aAbBcCPA";
const TS = 1775653748;
const SECRET = "test-platform-secret";
const OLD_SECRET = "previous-platform-secret";
const at = (seconds: number, ms = 0) => new Date(seconds * 1000 + ms);

describe("signIo", () => {
  it("matches the documented string-to-sign with an independent HMAC-SHA512 (hex and base64)", () => {
    const mac = () => createHmac("sha512", SECRET).update("aAbBcCPA|1775653748");
    // Also computed outside Node: printf 'aAbBcCPA|1775653748' | openssl dgst -sha512 -hmac test-platform-secret
    const hex =
      "7e44ff04747cc8cf69c0c5796df59ae783237ff912bec70f87a0a04fa7ed6a82" +
      "3ff6fd521020b926cc29cb1a0a1445651da0ee8fedd0d5185b183c60e5c37b6a";
    expect(mac().digest("hex")).toBe(hex);

    expect(signIo({ partnerId: PARTNER, platformSecret: SECRET, encoding: "hex", now: at(TS, 999) })).toEqual({
      signature: hex,
      timestamp: "1775653748",
    });
    expect(signIo({ partnerId: PARTNER, platformSecret: SECRET, encoding: "base64", now: at(TS) })).toEqual({
      signature: mac().digest("base64"),
      timestamp: "1775653748",
    });
    expect(mac().digest("base64")).toBe("fkT/BHR8yM9pwMV5bfWa54Mjf/kSvscPh6CgT6ftaoI/9v1SECC5JswpyxoKFEVlHaDuj+3Q1RhbGDxg5cN7ag==");
  });

  it("gives a different signature and timestamp one second later, and uses the clock by default", () => {
    const a = signIo({ partnerId: PARTNER, platformSecret: SECRET, encoding: "hex", now: at(TS) });
    const b = signIo({ partnerId: PARTNER, platformSecret: SECRET, encoding: "hex", now: at(TS + 1) });
    expect(b.timestamp).toBe(String(TS + 1));
    expect(b.signature).not.toBe(a.signature);
    expect(b.signature).toBe(createHmac("sha512", SECRET).update(`${PARTNER}|${TS + 1}`).digest("hex"));

    const before = Math.floor(Date.now() / 1000);
    const live = signIo({ partnerId: PARTNER, platformSecret: SECRET, encoding: "hex" });
    expect(Number(live.timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(live.timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(live.timestamp).toMatch(/^[1-9][0-9]{9}$/);
  });

  it("refuses a bad partner id, an empty secret, an unknown encoding and an invalid date", () => {
    expect(() => signIo({ partnerId: "a|b", platformSecret: SECRET, encoding: "hex" })).toThrow(TypeError);
    expect(() => signIo({ partnerId: "", platformSecret: SECRET, encoding: "hex" })).toThrow(TypeError);
    expect(() => signIo({ partnerId: PARTNER, platformSecret: "", encoding: "hex" })).toThrow(TypeError);
    expect(() => signIo({ partnerId: PARTNER, platformSecret: SECRET, encoding: "latin1" as IoSignatureEncoding })).toThrow(TypeError);
    expect(() => signIo({ partnerId: PARTNER, platformSecret: SECRET, encoding: "hex", now: new Date(Number.NaN) })).toThrow(TypeError);
  });
});

describe("verifyIoSignature", () => {
  const encodings: IoSignatureEncoding[] = ["hex", "base64"];
  const sign = (encoding: IoSignatureEncoding, secret = SECRET, ts = TS) =>
    signIo({ partnerId: PARTNER, platformSecret: secret, encoding, now: at(ts) });
  const verify = (
    encoding: IoSignatureEncoding,
    signature: string | null | undefined,
    timestamp: string | null | undefined,
    extra: { now?: Date; secrets?: string[]; maxSkewSeconds?: number; partnerId?: string } = {},
  ) =>
    verifyIoSignature({
      partnerId: extra.partnerId ?? PARTNER,
      secrets: extra.secrets ?? [SECRET],
      signature,
      timestamp,
      encoding,
      now: extra.now ?? at(TS),
      maxSkewSeconds: extra.maxSkewSeconds,
    });

  it.each(encodings)("accepts a fresh %s signature within the skew window, either side", (encoding) => {
    const { signature, timestamp } = sign(encoding);
    expect(verify(encoding, signature, timestamp)).toEqual({ ok: true });
    expect(verify(encoding, signature, timestamp, { now: at(TS + 300, 999) })).toEqual({ ok: true });
    expect(verify(encoding, signature, timestamp, { now: at(TS - 300) })).toEqual({ ok: true });
  });

  it.each(encodings)("rejects an expired or future %s signature", (encoding) => {
    const { signature, timestamp } = sign(encoding);
    expect(verify(encoding, signature, timestamp, { now: at(TS + 301) })).toEqual({ ok: false, reason: "expired" });
    expect(verify(encoding, signature, timestamp, { now: at(TS - 301) })).toEqual({ ok: false, reason: "expired" });
    expect(verify(encoding, signature, timestamp, { now: at(TS + 61), maxSkewSeconds: 60 })).toEqual({ ok: false, reason: "expired" });
  });

  it.each(encodings)("rejects a %s signature made with another secret, partner or timestamp", (encoding) => {
    const { signature, timestamp } = sign(encoding);
    expect(verify(encoding, sign(encoding, "wrong-secret").signature, timestamp)).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(encoding, signature, timestamp, { partnerId: "otherPA" })).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(encoding, signature, String(TS + 1))).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(encoding, signature, timestamp, { secrets: [] })).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(encoding, signature, timestamp, { secrets: [""] })).toEqual({ ok: false, reason: "mismatch" });
  });

  it.each(encodings)("accepts a %s signature made with the previous secret during rotation", (encoding) => {
    const { signature, timestamp } = sign(encoding, OLD_SECRET);
    expect(verify(encoding, signature, timestamp, { secrets: [SECRET, OLD_SECRET] })).toEqual({ ok: true });
    expect(verify(encoding, signature, timestamp, { secrets: [SECRET] })).toEqual({ ok: false, reason: "mismatch" });
  });

  it("reports missing signature or timestamp", () => {
    const { signature, timestamp } = sign("hex");
    for (const [sig, ts] of [
      [undefined, timestamp],
      [null, timestamp],
      ["", timestamp],
      [signature, undefined],
      [signature, null],
      [signature, ""],
      [undefined, undefined],
    ] as const) {
      expect(verify("hex", sig, ts)).toEqual({ ok: false, reason: "missing" });
    }
  });

  it("reports malformed input, accepting only the canonical spelling of each encoding", () => {
    const hex = sign("hex");
    const b64 = sign("base64");
    const cases: [IoSignatureEncoding, string, string][] = [
      ["hex", hex.signature, "1775653748.0"],
      ["hex", hex.signature, "01775653748"],
      ["hex", hex.signature, "-1775653748"],
      ["hex", hex.signature, " 1775653748"],
      ["hex", hex.signature, "1775653748000000"],
      ["hex", hex.signature.toUpperCase(), hex.timestamp],
      ["hex", hex.signature.slice(0, -2), hex.timestamp],
      ["hex", `${hex.signature}00`, hex.timestamp],
      ["hex", `sha512=${hex.signature}`, hex.timestamp],
      ["hex", b64.signature, hex.timestamp],
      ["base64", hex.signature, b64.timestamp],
      ["base64", b64.signature.replace(/=+$/, ""), b64.timestamp],
      ["base64", b64.signature.replace(/\+/g, "-").replace(/\//g, "_"), b64.timestamp],
      ["base64", ` ${b64.signature}`, b64.timestamp],
    ];
    for (const [encoding, signature, timestamp] of cases) {
      expect(verify(encoding, signature, timestamp), `${encoding} ${signature} ${timestamp}`).toEqual({ ok: false, reason: "malformed" });
    }
    // 86 base64 characters carry 4 unused bits: a changed last character can decode to the same bytes.
    const last = b64.signature.at(-3) ?? "";
    const twin = b64.signature.slice(0, -3) + String.fromCharCode(last.charCodeAt(0) + 1) + "==";
    expect(Buffer.from(twin, "base64").equals(Buffer.from(b64.signature, "base64"))).toBe(true);
    expect(verify("base64", twin, b64.timestamp)).toEqual({ ok: false, reason: "malformed" });
  });

  it("never throws and never accepts a random signature", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.stringMatching(/^[0-9a-f]{128}$/), fc.base64String({ minLength: 88, maxLength: 88 })),
        fc.oneof(fc.string({ maxLength: 20 }), fc.integer({ min: TS - 400, max: TS + 400 }).map(String)),
        fc.constantFrom<IoSignatureEncoding>("hex", "base64"),
        (signature, timestamp, encoding) => {
          const result = verify(encoding, signature, timestamp);
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
