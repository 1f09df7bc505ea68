import { describe, expect, it } from "vitest";
import { readJsonRequest } from "./json-body";

const post = (body: BodyInit, headers: Record<string, string> = {}) => new Request("http://portal.test/api/x", { method: "POST", body, headers });

describe("readJsonRequest", () => {
  it("parses a JSON body within the cap", async () => {
    expect(await readJsonRequest(post('{"a":[1,"ü"]}'), 64)).toEqual({ ok: true, data: { a: [1, "ü"] } });
  });

  it("refuses a body over the cap in bytes, declared or streamed", async () => {
    expect(await readJsonRequest(post(JSON.stringify({ a: "x".repeat(100) })), 64)).toEqual({ ok: false, reason: "too_large" });
    expect(await readJsonRequest(post("{}", { "content-length": "65" }), 64)).toEqual({ ok: false, reason: "too_large" });
  });

  it("calls text that is not JSON or not UTF-8 invalid", async () => {
    expect(await readJsonRequest(post("{nope"), 64)).toEqual({ ok: false, reason: "invalid_json" });
    expect(await readJsonRequest(post(new Uint8Array([0x22, 0xff, 0x22])), 64)).toEqual({ ok: false, reason: "invalid_json" });
  });
});
