import { createHmac } from "node:crypto";
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  WEBHOOK_SIGNATURE_HEADER,
  signWebhookBody,
  verifyWebhookSignature,
  type WebhookSecret,
} from "./webhook-signature";

const CURRENT = "whsec-current";
const PREVIOUS = "whsec-previous";
const secrets: WebhookSecret[] = [
  { secret: CURRENT, label: "current" },
  { secret: PREVIOUS, label: "previous" },
];
const BODY = '{"id":"evt_1","event":"channel_running"}';
// printf '%s' "$BODY" | openssl dgst -sha256 -hmac whsec-current
const BODY_HEX = "b87808b7c3aca7515b4d418c323763c782a4a5ed4b4864054ac8afdc5826d7cd";
const mac = (body: string | Uint8Array, secret = CURRENT) => createHmac("sha256", secret).update(body).digest();
const verify = (rawBody: string | Uint8Array, header: unknown, list: WebhookSecret[] = secrets) =>
  verifyWebhookSignature({ rawBody, header: header as string, secrets: list });

/** Every spelling the receiver accepts for one digest. */
function spellings(digest: Buffer): string[] {
  const hex = digest.toString("hex");
  const b64 = digest.toString("base64");
  const b64url = digest.toString("base64url");
  const bare = [hex, hex.toUpperCase(), hex.slice(0, 32).toUpperCase() + hex.slice(32), b64, b64.replace(/=$/, ""), b64url, `${b64url}=`];
  return bare.flatMap((s) => [s, `sha256=${s}`, `SHA256=${s}`, `Sha256=${s}`, `  ${s}\t`, ` sha256=${s} `]);
}

describe("verifyWebhookSignature", () => {
  it("names the header 360dialog sends", () => {
    expect(WEBHOOK_SIGNATURE_HEADER).toBe("x-360dialog-signature");
  });

  it("accepts the known-answer vector in every accepted spelling", () => {
    expect(mac(BODY).toString("hex")).toBe(BODY_HEX);
    expect(signWebhookBody(BODY, CURRENT)).toBe(BODY_HEX);
    expect(signWebhookBody(new TextEncoder().encode(BODY), CURRENT, "base64")).toBe(mac(BODY).toString("base64"));
    expect(signWebhookBody(BODY, CURRENT, "base64url")).toBe(mac(BODY).toString("base64url"));
    for (const header of spellings(mac(BODY))) {
      expect(verify(BODY, header), header).toEqual({ ok: true, matched: "current" });
      expect(verify(Buffer.from(BODY), header), header).toEqual({ ok: true, matched: "current" });
    }
  });

  it("reports the previous secret during rotation, and rejects it once removed", () => {
    const header = signWebhookBody(BODY, PREVIOUS);
    expect(verify(BODY, header)).toEqual({ ok: true, matched: "previous" });
    expect(verify(BODY, header, [{ secret: CURRENT, label: "current" }])).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(BODY, signWebhookBody(BODY, CURRENT), [...secrets].reverse())).toEqual({ ok: true, matched: "current" });
  });

  it("rejects the standard-webhooks style forgeries", () => {
    const good = signWebhookBody(BODY, CURRENT);
    const flipped = Buffer.from(BODY);
    flipped[10] = (flipped[10] ?? 0) ^ 1;
    const reformatted = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(JSON.parse(reformatted)).toEqual(JSON.parse(BODY));
    const cases: [string, string | Uint8Array, unknown, "missing" | "malformed" | "mismatch"][] = [
      ["missing header", BODY, undefined, "missing"],
      ["null header", BODY, null, "missing"],
      ["empty header", BODY, "", "missing"],
      ["blank header", BODY, "  \t ", "missing"],
      ["prefix only", BODY, "sha256=", "malformed"],
      ["truncated hex", BODY, good.slice(0, -1), "malformed"],
      ["half the hex", BODY, good.slice(0, 32), "malformed"],
      ["hex plus a byte", BODY, `${good}00`, "malformed"],
      ["truncated base64", BODY, mac(BODY).toString("base64").slice(0, 40), "malformed"],
      ["sha1-sized", BODY, "a".repeat(40), "malformed"],
      ["sha512-sized", BODY, "a".repeat(128), "malformed"],
      ["other prefix", BODY, `sha1=${good}`, "malformed"],
      ["standard-webhooks form", BODY, `v1,${mac(BODY).toString("base64")}`, "malformed"],
      ["two signatures", BODY, `${good}, ${good}`, "malformed"],
      ["inner space", BODY, `sha256= ${good}`, "malformed"],
      ["non-hex", BODY, `${good.slice(0, -1)}g`, "malformed"],
      ["array", BODY, [good], "malformed"],
      ["number", BODY, 42, "malformed"],
      ["huge", BODY, good.repeat(10_000), "malformed"],
      ["unicode", BODY, "é".repeat(64), "malformed"],
      ["wrong secret", BODY, signWebhookBody(BODY, "whsec-wrong"), "mismatch"],
      ["flipped body byte", flipped, good, "mismatch"],
      ["reformatted JSON", reformatted, good, "mismatch"],
      ["empty body", "", good, "mismatch"],
      ["zero digest", BODY, "0".repeat(64), "mismatch"],
    ];
    for (const [name, body, header, reason] of cases) {
      expect(verify(body, header), name).toEqual({ ok: false, reason });
    }
  });

  it("rejects every spelling of a digest one bit off", () => {
    const digest = mac(BODY);
    for (let bit = 0; bit < 256; bit++) {
      const off = Buffer.from(digest);
      off[bit >> 3] = (off[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      for (const header of spellings(off)) expect(verify(BODY, header).ok).toBe(false);
    }
  });

  it("matches nothing without usable secrets, and never throws on odd arguments", () => {
    const good = signWebhookBody(BODY, CURRENT);
    expect(verify(BODY, good, [])).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(BODY, good, [{ secret: "", label: "current" }])).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(BODY, good, [{ secret: CURRENT, label: "other" as "current" }])).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(BODY, good, null as unknown as WebhookSecret[])).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(BODY, good, [null as unknown as WebhookSecret])).toEqual({ ok: false, reason: "mismatch" });
    expect(verify(42 as unknown as string, good)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyWebhookSignature(null as unknown as Parameters<typeof verifyWebhookSignature>[0])).toEqual({ ok: false, reason: "malformed" });
  });

  it("never accepts a random header and never throws (10,000 headers, random bodies)", () => {
    const header = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.stringMatching(/^[0-9a-fA-F]{64}$/),
      fc.base64String({ minLength: 44, maxLength: 44 }),
      fc.stringMatching(/^([Ss][Hh][Aa]256=)?[A-Za-z0-9_-]{43}=?$/),
      fc.constantFrom("", " ", "sha256=", "=", "null", "[]"),
    );
    const body = fc.oneof(fc.string({ unit: "binary", maxLength: 500 }), fc.uint8Array({ maxLength: 500 }));
    const reasons = new Map<string, number>();
    fc.assert(
      fc.property(body, header, (rawBody, h) => {
        const result = verify(rawBody, h);
        expect(result.ok).toBe(false);
        if (!result.ok) reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
      }),
      { numRuns: 10_000 },
    );
    expect([...reasons.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(reasons.get("mismatch")).toBeGreaterThan(1_000);
  });

  it("never throws on values outside its types", () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (rawBody, header, list) => {
        const result = verifyWebhookSignature({ rawBody, header, secrets: list } as unknown as Parameters<typeof verifyWebhookSignature>[0]);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it("accepts a one-character edit of a valid header only when it still spells the same digest", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.nat(), fc.nat(), fc.string({ unit: "binary", minLength: 1, maxLength: 2 }), (rawBody, pick, pos, ch) => {
        const all = spellings(mac(rawBody));
        const header = all[pick % all.length] ?? "";
        const at = pos % header.length;
        const edited = header.slice(0, at) + ch + header.slice(at + 1);
        fc.pre(edited !== header);
        const result = verify(rawBody, edited);
        if (result.ok) {
          const digest = edited.trim().replace(/^sha256=/i, "");
          const decoded = /^[0-9a-f]{64}$/i.test(digest) ? Buffer.from(digest, "hex") : Buffer.from(digest, "base64");
          expect(decoded.equals(mac(rawBody))).toBe(true);
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it("accepts any correct signature in any accepted spelling, and only for its body and secret", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "binary", maxLength: 500 }), fc.uint8Array({ maxLength: 500 })),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 64 }),
        fc.nat(),
        (rawBody, secret, pick) => {
          const all = spellings(mac(rawBody, secret));
          const header = all[pick % all.length] ?? "";
          const list: WebhookSecret[] = [{ secret, label: "previous" }];
          expect(verify(rawBody, header, list)).toEqual({ ok: true, matched: "previous" });
          expect(verify(rawBody, header, [{ secret: `${secret}x`, label: "current" }]).ok).toBe(false);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("signWebhookBody", () => {
  it("refuses an empty secret or a body that is not bytes", () => {
    expect(() => signWebhookBody(BODY, "")).toThrow(TypeError);
    expect(() => signWebhookBody(42 as unknown as string, CURRENT)).toThrow(TypeError);
  });
});
