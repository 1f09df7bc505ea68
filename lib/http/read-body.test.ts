import { describe, expect, it } from "vitest";
import { declaredLength, readBodyWithCap } from "./read-body";

const KIB = 1024;
const CAP = 256 * KIB;
const DEADLINE = 5_000;

/** A body streamed in `chunkBytes` pieces up to `totalBytes`, counting how many pieces were pulled. */
function streamedRequest(totalBytes: number, chunkBytes: number, headers: Record<string, string> = {}) {
  const counter = { pulled: 0, cancelled: false };
  let sent = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= totalBytes) {
          controller.close();
          return;
        }
        const size = Math.min(chunkBytes, totalBytes - sent);
        sent += size;
        counter.pulled++;
        controller.enqueue(new Uint8Array(size).fill(0x61));
      },
      cancel() {
        counter.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request("http://127.0.0.1/hook", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { request, counter };
}

describe("readBodyWithCap", () => {
  it("stops a streamed 10 MB body just past the cap, reading only the chunks it needs", async () => {
    const { request, counter } = streamedRequest(10 * 1024 * KIB, 64 * KIB);
    const started = performance.now();
    const result = await readBodyWithCap(request, CAP, DEADLINE);
    const elapsed = performance.now() - started;
    expect(result).toEqual({ ok: false, reason: "too_large" });
    // 4 chunks reach the cap exactly, the 5th passes it; 160 would be the whole body.
    expect(counter.pulled).toBeLessThanOrEqual(6);
    expect(counter.cancelled).toBe(true);
    expect(elapsed).toBeLessThan(100);
  });

  it("refuses a declared Content-Length over the cap without reading a byte", async () => {
    const { request, counter } = streamedRequest(10 * 1024 * KIB, 64 * KIB, { "content-length": String(10 * 1024 * KIB) });
    expect(await readBodyWithCap(request, CAP, DEADLINE)).toEqual({ ok: false, reason: "too_large" });
    expect(counter.pulled).toBe(0);
  });

  it("accepts a body of exactly the cap, byte for byte", async () => {
    const { request } = streamedRequest(CAP, 7_777);
    const result = await readBodyWithCap(request, CAP, DEADLINE);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.bytes.byteLength).toBe(CAP);
      expect(result.bytes.every((b) => b === 0x61)).toBe(true);
    }
  });

  it("refuses one byte over the cap even when the length is not declared", async () => {
    const { request } = streamedRequest(CAP + 1, 7_777);
    expect(await readBodyWithCap(request, CAP, DEADLINE)).toEqual({ ok: false, reason: "too_large" });
  });

  it("does not trust a declared length under the real size", async () => {
    const { request } = streamedRequest(CAP + 10, 64 * KIB, { "content-length": "10" });
    expect(await readBodyWithCap(request, CAP, DEADLINE)).toEqual({ ok: false, reason: "too_large" });
  });

  it("keeps the exact bytes of a body in several chunks, and reads a missing body as empty", async () => {
    const text = "{\"event\":\"channel_created\",\"é\":\"\u{1F600}\"}";
    const result = await readBodyWithCap(new Request("http://127.0.0.1/", { method: "POST", body: text }), CAP, DEADLINE);
    expect(result.ok && Buffer.from(result.bytes).toString("utf8")).toBe(text);
    expect(await readBodyWithCap(new Request("http://127.0.0.1/", { method: "POST" }), CAP, DEADLINE)).toEqual({ ok: true, bytes: new Uint8Array(0) });
  });

  it("gives up a body still trickling in at the deadline, without waiting for the rest", async () => {
    let sent = 0;
    let cancelled = false;
    let timer: NodeJS.Timeout | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // One byte every 20 ms, for a minute if nobody stops it: far under the cap, never finished.
        timer = setInterval(() => {
          sent++;
          controller.enqueue(new Uint8Array([0x61]));
        }, 20);
      },
      cancel() {
        cancelled = true;
        clearInterval(timer);
      },
    });
    const request = new Request("http://127.0.0.1/", { method: "POST", body, duplex: "half" } as RequestInit);
    const started = performance.now();
    try {
      expect(await readBodyWithCap(request, CAP, 300)).toEqual({ ok: false, reason: "timeout" });
    } finally {
      clearInterval(timer);
    }
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_000);
    expect(sent).toBeGreaterThan(3);
    expect(cancelled).toBe(true);
  });

  it("leaves a body that arrives within the deadline alone, however many pieces it comes in", async () => {
    const { request } = streamedRequest(64 * KIB, 100);
    const result = await readBodyWithCap(request, CAP, 2_000);
    expect(result.ok && result.bytes.byteLength).toBe(64 * KIB);
  });

  it("reports a stream that fails mid-way as aborted", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2, 3]));
        controller.error(new Error("socket hang up"));
      },
    });
    const request = new Request("http://127.0.0.1/", { method: "POST", body, duplex: "half" } as RequestInit);
    expect(await readBodyWithCap(request, CAP, DEADLINE)).toEqual({ ok: false, reason: "aborted" });
  });
});

describe("declaredLength", () => {
  it("reads plain decimal lengths only", () => {
    const h = (v: string) => new Headers({ "content-length": v });
    expect(declaredLength(h("42"))).toBe(42);
    expect(declaredLength(h(" 7 "))).toBe(7);
    expect(declaredLength(h("-1"))).toBeNull();
    expect(declaredLength(h("1e9"))).toBeNull();
    expect(declaredLength(h("12, 12"))).toBeNull();
    expect(declaredLength(new Headers())).toBeNull();
  });
});
