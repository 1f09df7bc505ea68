import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  REDIRECT_ID_PATTERN,
  REDIRECT_MAX_IDS,
  REDIRECT_MAX_QUERY_BYTES,
  parseRedirectQuery,
  type RedirectErrorCode,
  type RedirectParseResult,
} from "./redirect";

const STATE = "Zk3_9vLq-2mWp8Rt0YbXcA";

function ok(result: RedirectParseResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function code(result: RedirectParseResult): RedirectErrorCode {
  if (result.ok) throw new Error("expected an error, got ok");
  return result.error.code;
}

describe("parseRedirectQuery", () => {
  it("reads the documented raw form", () => {
    expect(parseRedirectQuery("?client=oaY9LLfUCL&channels=[y9MiLoCH,ab_C-12]")).toEqual({
      ok: true,
      value: { clientId: "oaY9LLfUCL", channels: ["y9MiLoCH", "ab_C-12"], revoked: [], state: null },
    });
  });

  it("reads the percent-encoded form, with revoked and state", () => {
    const value = ok(parseRedirectQuery(`client=oaY9LLfUCL&channels=%5By9MiLoCH%2Cab_C-12%5D&revoked=%5Bold1%5D&state=${STATE}`));
    expect(value).toEqual({ clientId: "oaY9LLfUCL", channels: ["y9MiLoCH", "ab_C-12"], revoked: ["old1"], state: STATE });
  });

  it("gives the same result for a string and its URLSearchParams", () => {
    const query = `client=c1&channels=[a,b]&revoked=[c]&state=${STATE}&utm_source=x`;
    expect(parseRedirectQuery(new URLSearchParams(query))).toEqual(parseRedirectQuery(query));
    expect(parseRedirectQuery(new URLSearchParams(query))).toEqual(parseRedirectQuery(`?${query}`));
  });

  it("treats [] and absent lists as empty, trims whitespace inside brackets and drops repeated ids", () => {
    expect(ok(parseRedirectQuery("client=c1&channels=[]"))).toEqual({ clientId: "c1", channels: [], revoked: [], state: null });
    expect(ok(parseRedirectQuery("client=c1&channels=%5B%5D&revoked=[]")).revoked).toEqual([]);
    expect(ok(parseRedirectQuery("client=c1")).channels).toEqual([]);
    expect(ok(parseRedirectQuery("client=c1&channels=[ ]")).channels).toEqual([]);
    expect(ok(parseRedirectQuery("client=c1&channels=[ a , b%20]")).channels).toEqual(["a", "b"]);
    expect(ok(parseRedirectQuery("client=c1&channels=[+a,+b+]")).channels).toEqual(["a", "b"]);
    expect(ok(parseRedirectQuery("client=c1&channels=[a,b,a]")).channels).toEqual(["a", "b"]);
    expect(ok(parseRedirectQuery(""))).toEqual({ clientId: null, channels: [], revoked: [], state: null });
    expect(ok(parseRedirectQuery("?"))).toEqual({ clientId: null, channels: [], revoked: [], state: null });
  });

  it("rejects malformed lists", () => {
    const bad: [string, RedirectErrorCode][] = [
      ["channels=a,b", "bad_channels"],
      ["channels=[a,b", "bad_channels"],
      ["channels=a,b]", "bad_channels"],
      ["channels=", "bad_channels"],
      ["channels=[a,,b]", "bad_channels"],
      ["channels=[,]", "bad_channels"],
      ["channels=[a,]", "bad_channels"],
      ['channels=["a","b"]', "bad_channels"],
      ["channels=[[a]]", "bad_channels"],
      ["channels=[a;b]", "bad_channels"],
      ["channels=[a.b]", "bad_channels"],
      ["channels=[<script>alert(1)</script>]", "bad_channels"],
      [`channels=[${"x".repeat(65)}]`, "bad_channels"],
      ["channels=[%C3%A9]", "bad_channels"],
      ["channels=%255Ba%255D", "bad_channels"],
      ["channels=[a]&revoked=b", "bad_revoked"],
      ["revoked=[a b]", "bad_revoked"],
    ];
    for (const [query, expected] of bad) expect(code(parseRedirectQuery(query)), query).toBe(expected);
  });

  it("rejects a bad client or state", () => {
    const bad: [string, RedirectErrorCode][] = [
      ["client=", "bad_client"],
      ["client=a/b", "bad_client"],
      ["client=%20c1", "bad_client"],
      ["client=c1%00", "bad_client"],
      [`client=${"c".repeat(65)}`, "bad_client"],
      ["client=<img src=x>", "bad_client"],
      ["client=c1&state=", "bad_state"],
      ["client=c1&state=short", "bad_state"],
      [`client=c1&state=${"s".repeat(129)}`, "bad_state"],
      [`client=c1&state=${STATE}!`, "bad_state"],
    ];
    for (const [query, expected] of bad) expect(code(parseRedirectQuery(query)), query).toBe(expected);
    expect(ok(parseRedirectQuery(`state=${"s".repeat(16)}`)).state).toBe("s".repeat(16));
    expect(ok(parseRedirectQuery(`state=${"s".repeat(128)}`)).state).toBe("s".repeat(128));
  });

  it("rejects repeated parameters", () => {
    for (const query of ["client=a&client=a", "channels=[a]&channels=[b]", "revoked=[]&revoked=[]", `state=${STATE}&state=${STATE}`, "client=a&client="]) {
      expect(code(parseRedirectQuery(query)), query).toBe("duplicate_param");
    }
    expect(ok(parseRedirectQuery("client=a&x=1&x=2")).clientId).toBe("a");
  });

  it("enforces the id count and query length limits", () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `ch${i}`).join(",");
    expect(ok(parseRedirectQuery(`channels=[${ids(REDIRECT_MAX_IDS)}]`)).channels).toHaveLength(50);
    expect(code(parseRedirectQuery(`channels=[${ids(REDIRECT_MAX_IDS + 1)}]`))).toBe("too_many");
    expect(code(parseRedirectQuery(`revoked=[${ids(REDIRECT_MAX_IDS + 1)}]`))).toBe("too_many");
    expect(code(parseRedirectQuery(`channels=[${ids(10_000)}]`))).toBe("too_long");

    // Fifty 64-character ids in both lists, percent-encoded, still fit.
    const longIds = Array.from({ length: 50 }, (_, i) => `${i}`.padStart(64, "x")).join(",");
    const full = new URLSearchParams({ client: "c".repeat(64), channels: `[${longIds}]`, revoked: `[${longIds}]`, state: "s".repeat(128) });
    expect(full.toString().length).toBeLessThanOrEqual(REDIRECT_MAX_QUERY_BYTES);
    expect(ok(parseRedirectQuery(full)).revoked).toHaveLength(50);

    const atLimit = `client=c1&pad=${"p".repeat(REDIRECT_MAX_QUERY_BYTES - "client=c1&pad=".length)}`;
    expect(ok(parseRedirectQuery(atLimit)).clientId).toBe("c1");
    expect(code(parseRedirectQuery(`${atLimit}p`))).toBe("too_long");
    // Bytes, not characters: 2,731 three-byte characters are under 8,192 characters but over 8 KiB.
    expect(code(parseRedirectQuery(`client=c1&pad=${"€".repeat(2_731)}`))).toBe("too_long");
    expect(code(parseRedirectQuery("x".repeat(10_000_000)))).toBe("too_long");
  });

  it("never echoes the query in an error message", () => {
    const result = parseRedirectQuery("client=<script>alert(1)</script>");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).not.toMatch(/script|alert/);
  });

  it("returns a typed result for any input and only ever valid ids (fuzz)", () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
    const tenThousand = Array.from({ length: 10_000 }, (_, i) => `ch${i}`);
    const junkId = fc.oneof(
      id,
      fc.string({ unit: "binary", maxLength: 70 }),
      fc.constantFrom("<script>alert(1)</script>", '"', "'", "[", "]", ",", "%5B", "%2C", "%5D", "&", "=", "#", "é", "😀", "\u0000", " "),
    );
    const list = fc.oneof(
      fc.array(junkId, { maxLength: 60 }).map((ids) => `[${ids.join(",")}]`),
      fc.array(id, { maxLength: 60 }).map((ids) => encodeURIComponent(`[${ids.join(",")}]`)),
      fc.tuple(fc.nat(10_000), junkId).map(([at, extra]) => `[${[...tenThousand.slice(0, at), extra, ...tenThousand.slice(at)].join(",")}]`),
      fc.string({ unit: "binary", maxLength: 200 }),
    );
    const param = fc.tuple(fc.constantFrom("client", "channels", "revoked", "state", "other", "%63lient"), fc.oneof(list, junkId));
    const query = fc.oneof(
      fc.array(param, { maxLength: 8 }).map((ps) => ps.map(([k, v]) => `${k}=${v}`).join("&")),
      fc.string({ unit: "binary", maxLength: 500 }),
    );
    let oks = 0;
    const codes: readonly string[] = ["bad_client", "bad_channels", "bad_revoked", "bad_state", "too_many", "too_long", "duplicate_param"];
    fc.assert(
      fc.property(query, fc.boolean(), (q, asParams) => {
        const result = parseRedirectQuery(asParams ? new URLSearchParams(q) : q);
        if (result.ok) {
          oks++;
          const { clientId, channels, revoked, state } = result.value;
          if (clientId !== null) expect(clientId).toMatch(REDIRECT_ID_PATTERN);
          for (const value of [...channels, ...revoked]) expect(value).toMatch(REDIRECT_ID_PATTERN);
          expect(channels.length).toBeLessThanOrEqual(REDIRECT_MAX_IDS);
          expect(revoked.length).toBeLessThanOrEqual(REDIRECT_MAX_IDS);
          if (state !== null) expect(state).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
        } else {
          expect(codes).toContain(result.error.code);
          expect(typeof result.error.message).toBe("string");
        }
      }),
      { numRuns: 2_000 },
    );
    expect(oks).toBeGreaterThan(100);
  });

  it("does not throw for inputs outside its type", () => {
    for (const input of [undefined, null, 42, {}, [], { client: "x" }]) {
      const result = parseRedirectQuery(input as unknown as string);
      expect(result).toEqual({ ok: true, value: { clientId: null, channels: [], revoked: [], state: null } });
    }
  });
});
