import http, { type IncomingHttpHeaders } from "node:http";
import net, { type AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import nextConfig from "@/next.config";
import { processSlots } from "../process-slots";
import type { Delivery, DeliveryResponse } from "./ingest";
import { createWebhookFastPath, deliveryHeaders, fastPathPartnerId, fastPathWabaHubId, fastPathWabaTarget, NEXT_CONFIG_HEADERS } from "./node-receiver";

// The adapter around ingestDelivery(); the receiver itself is replaced by one that reads the body through the
// adapter's reader (a 1 KiB cap and a 400 ms deadline here) and reports what it saw. The real receiver behind a real server.ts is proven by
// test/proofs/webhook-fast-path.db.test.ts.

const CAP = 1024;
const DEADLINE_MS = vi.hoisted(() => 400);
const seen = vi.hoisted(() => [] as { partnerId: string; headers: Record<string, string>; outcome: string; bytes?: number; sent?: Buffer }[]);

vi.mock("./ingest", () => ({
  ingestDelivery: async ({ partnerId, headers, readBody }: Delivery): Promise<DeliveryResponse> => {
    const body = await readBody(CAP, DEADLINE_MS);
    const seenHeaders: Record<string, string> = {};
    headers.forEach((value, name) => {
      seenHeaders[name] = value;
    });
    const answer = (status: number, json: unknown) => ({ status, headers: { "cache-control": "no-store", "content-type": "application/json" }, body: JSON.stringify(json) });
    if (!body.ok) {
      seen.push({ partnerId, headers: seenHeaders, outcome: body.reason });
      if (body.reason === "timeout") return { ...answer(408, { error: body.reason }), headers: { connection: "close" } };
      return answer(body.reason === "too_large" ? 413 : 400, { error: body.reason });
    }
    seen.push({ partnerId, headers: seenHeaders, outcome: "read", bytes: body.bytes.byteLength, sent: Buffer.from(body.bytes) });
    return answer(200, { ok: true });
  },
}));

vi.mock("./waba-ingest", () => ({
  ingestWabaDelivery: async ({ hubId, readBody }: { hubId: string; readBody: Delivery["readBody"] }): Promise<DeliveryResponse> => {
    const body = await readBody(CAP, DEADLINE_MS);
    seen.push({ partnerId: `waba:${hubId}`, headers: {}, outcome: body.ok ? "read" : body.reason, ...(body.ok ? { bytes: body.bytes.byteLength, sent: Buffer.from(body.bytes) } : {}) });
    return { status: 200, headers: { "cache-control": "no-store", "content-type": "application/json" }, body: '{"ok":true}' };
  },
}));

let server: http.Server;
let port = 0;
const PATH = "/api/webhooks/360dialog/partner_1";

beforeAll(async () => {
  const fastPath = createWebhookFastPath({ port: 4321 });
  server = http.createServer((req, res) => {
    if (fastPath(req, res)) return;
    res.writeHead(299, { "content-type": "text/plain" }).end("next");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  processSlots.db = Promise.resolve({} as DatabaseHandle);
});

type Reply = { status: number; headers: IncomingHttpHeaders; body: string };

function send(options: { path?: string; method?: string; headers?: Record<string, string>; body?: Buffer | string; agent?: http.Agent }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: options.path ?? PATH, method: options.method ?? "POST", headers: options.headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

describe("fastPathPartnerId", () => {
  it.each([
    ["POST", "/api/webhooks/360dialog/abc_DEF-1", "abc_DEF-1"],
    ["POST", "/api/webhooks/360dialog/abc?x=1&y=/../", "abc"],
    ["POST", `/api/webhooks/360dialog/${"a".repeat(64)}`, "a".repeat(64)],
    ["GET", "/api/webhooks/360dialog/abc", null],
    ["OPTIONS", "/api/webhooks/360dialog/abc", null],
    ["post", "/api/webhooks/360dialog/abc", null],
    ["POST", "/api/webhooks/360dialog/abc/", null],
    ["POST", "/api/webhooks/360dialog/", null],
    ["POST", "/api/webhooks/360dialog", null],
    ["POST", "/api/webhooks/360dialog/a%2Fb", null],
    ["POST", "/api/webhooks/360dialog/%61bc", null],
    ["POST", "/api/webhooks/360dialog/../360dialog/abc", null],
    ["POST", "/api/webhooks/360dialog//abc", null],
    ["POST", "//api/webhooks/360dialog/abc", null],
    ["POST", "/API/webhooks/360dialog/abc", null],
    ["POST", "/api/webhooks/360dialog/a.b", null],
    ["POST", "/api/webhooks/360dialog/abc#x", null],
    ["POST", "http://evil/api/webhooks/360dialog/abc", null],
    ["POST", `/api/webhooks/360dialog/${"a".repeat(65)}`, null],
  ])("%s %s → %s", (method, url, expected) => {
    expect(fastPathPartnerId(method, url)).toBe(expected);
  });

  it("takes only what Next.js would route to the same partner id, unchanged by decoding", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."/?.%#_-aZ09 ") }), fc.string(), (tail, query) => {
        const url = `/api/webhooks/360dialog/${tail}`;
        const id = fastPathPartnerId("POST", url);
        if (id === null) return;
        expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
        expect(decodeURIComponent(id)).toBe(id);
        expect(url === `/api/webhooks/360dialog/${id}` || url.startsWith(`/api/webhooks/360dialog/${id}?`)).toBe(true);
        expect(fastPathPartnerId("POST", `/api/webhooks/360dialog/${id}?${query}`)).toBe(id);
      }),
      { numRuns: 2_000 },
    );
  });
});

it("adds the response headers next.config.ts gives the webhook path", async () => {
  const all = (await nextConfig.headers?.()) ?? [];
  // One rule for every path and one for /api, both covering the webhook path, and the light pages' scripts' caching
  // (under /_light/, which never covers it). A rule scoped any other way would need this test (and the fast path) to know.
  const rules = all.filter((r) => !r.source.startsWith("/_light/"));
  expect(rules.map((r) => r.source)).toEqual(["/:path*", "/api/:path*"]);
  expect(all.length - rules.length).toBe(2);
  expect(Object.fromEntries(rules.flatMap((r) => r.headers.map((h) => [h.key, h.value])))).toEqual(NEXT_CONFIG_HEADERS);
});

describe("fastPathWabaHubId", () => {
  it("takes a POST to a hub's WABA webhook path with a well-formed hub id, and nothing else", () => {
    const id = "0b9f6c1e-3d4a-4e5f-8a7b-1c2d3e4f5a6b";
    expect(fastPathWabaHubId("POST", `/api/webhooks/waba/${id}`)).toBe(id);
    expect(fastPathWabaHubId("POST", `/api/webhooks/waba/${id}?x=1`)).toBe(id);
    for (const url of [`/api/webhooks/waba/${id}/`, "/api/webhooks/waba/not-a-uuid", `/api/webhooks/waba/${id.toUpperCase()}`, `/api/webhooks/waba//${id}`]) {
      expect(fastPathWabaHubId("POST", url), url).toBeNull();
    }
    expect(fastPathWabaHubId("GET", `/api/webhooks/waba/${id}`)).toBeNull();
  });

  it("takes the secret's path token after the hub id (docs/waba-webhook.md §2.1); a segment that is not one goes on to Next.js", () => {
    const id = "0b9f6c1e-3d4a-4e5f-8a7b-1c2d3e4f5a6b";
    const token = "a".repeat(64);
    expect(fastPathWabaTarget("POST", `/api/webhooks/waba/${id}/${token}`)).toEqual({ hubId: id, pathToken: token });
    expect(fastPathWabaTarget("POST", `/api/webhooks/waba/${id}/${token}?x=1`)).toEqual({ hubId: id, pathToken: token });
    expect(fastPathWabaTarget("POST", `/api/webhooks/waba/${id}`)).toEqual({ hubId: id });
    for (const url of [`/api/webhooks/waba/${id}/${token}/`, `/api/webhooks/waba/${id}/${"a".repeat(63)}`, `/api/webhooks/waba/${id}/${token.toUpperCase()}`, `/api/webhooks/waba/${id}/x`]) {
      expect(fastPathWabaTarget("POST", url), url).toBeNull();
    }
  });
});

describe("the fast path on a node:http server", () => {
  it("hands a WABA webhook delivery to the WABA receiver, bytes unchanged", async () => {
    const id = "0b9f6c1e-3d4a-4e5f-8a7b-1c2d3e4f5a6b";
    const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
    const reply = await send({ path: `/api/webhooks/waba/${id}`, body, headers: { "content-type": "application/json" } });
    expect(reply.status).toBe(200);
    expect(reply.headers["x-frame-options"]).toBe("DENY");
    expect(seen).toHaveLength(1);
    expect(seen[0]!.partnerId).toBe(`waba:${id}`);
    expect(seen[0]!.sent!.equals(body)).toBe(true);
  });

  it("answers a delivery with the receiver's response and Next's response headers, passing the exact bytes", async () => {
    const body = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x00, 0xff, 0x7d]);
    const reply = await send({ body, headers: { "content-type": "application/json", "x-360dialog-signature": "abc" } });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true });
    expect(reply.headers).toMatchObject({
      "cache-control": "no-store",
      "content-type": "application/json",
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
      "referrer-policy": "strict-origin-when-cross-origin",
      "cross-origin-resource-policy": "same-origin",
      "strict-transport-security": "max-age=63072000; includeSubDomains",
      vary: "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch, Accept-Encoding",
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.partnerId).toBe("partner_1");
    expect(seen[0]!.sent!.equals(body)).toBe(true);
  });

  it("hands the receiver the request headers Next.js would: internal ones removed, X-Forwarded-* filled only when absent", async () => {
    await send({ body: "{}", headers: { "x-middleware-rewrite": "/x", "x-matched-path": "/y", "x-portal-client-ip": "10.9.8.7" } });
    await send({ body: "{}", headers: { "x-forwarded-for": "1.2.3.4", "x-forwarded-proto": "https", "x-forwarded-host": "portal.example", "x-forwarded-port": "8443" } });
    const [plain, forwarded] = seen.map((s) => s.headers);
    expect(plain).not.toHaveProperty("x-middleware-rewrite");
    expect(plain).not.toHaveProperty("x-matched-path");
    expect(plain).toMatchObject({
      "x-portal-client-ip": "10.9.8.7",
      "x-forwarded-host": `127.0.0.1:${port}`,
      "x-forwarded-port": "4321",
      "x-forwarded-proto": "http",
      "x-forwarded-for": "127.0.0.1",
    });
    expect(forwarded).toMatchObject({ "x-forwarded-for": "1.2.3.4", "x-forwarded-proto": "https", "x-forwarded-host": "portal.example", "x-forwarded-port": "8443" });
  });

  it("leaves everything else to Next.js, and every delivery while the database is not open yet", async () => {
    for (const request of [{ method: "GET" }, { method: "OPTIONS" }, { path: `${PATH}/` }, { path: "/api/webhooks/360dialog/" }, { path: "/api/health" }]) {
      // Node's client frames no body for GET or OPTIONS.
      const reply = await send({ ...request, body: request.method ? undefined : "{}" });
      expect(reply, JSON.stringify(request)).toMatchObject({ status: 299, body: "next" });
    }
    delete processSlots.db;
    expect(await send({ body: "{}" })).toMatchObject({ status: 299, body: "next" });
    expect(seen).toEqual([]);
  });

  it("gives a 10 MB body, streamed or declared, its 413, and the connection serves the next delivery", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = Buffer.alloc(10 * 1024 * 1024, 0x20);
      const chunked = send({ body: big, headers: { "transfer-encoding": "chunked" }, agent });
      const declared = send({ body: big, agent });
      expect((await chunked).status).toBe(413);
      expect((await declared).status).toBe(413);
      const next = await send({ body: "{}", agent });
      expect(next.status).toBe(200);
      expect(seen.map((s) => s.outcome)).toEqual(["too_large", "too_large", "read"]);
    } finally {
      agent.destroy();
    }
  });

  it("reads a body of exactly the cap, streamed or declared, and refuses one byte more", async () => {
    const exact = Buffer.alloc(CAP, 0x61);
    const over = Buffer.alloc(CAP + 1, 0x61);
    expect((await send({ body: exact, headers: { "transfer-encoding": "chunked" } })).status).toBe(200);
    expect((await send({ body: exact })).status).toBe(200);
    expect((await send({ body: over, headers: { "transfer-encoding": "chunked" } })).status).toBe(413);
    expect((await send({ body: over })).status).toBe(413);
    expect(seen.map((s) => [s.outcome, s.bytes])).toEqual([["read", CAP], ["read", CAP], ["too_large", undefined], ["too_large", undefined]]);
    expect(seen[0]!.sent!.equals(exact)).toBe(true);
  });

  it("passes a body in many small writes whole, and an empty body as zero bytes", async () => {
    const parts = Array.from({ length: 40 }, (_, i) => Buffer.from(`${i},`));
    const reply = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: PATH, method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      const write = (i: number) => {
        if (i === parts.length) return void req.end();
        req.write(parts[i]);
        setImmediate(() => write(i + 1));
      };
      write(0);
    });
    expect(reply).toBe(200);
    expect(seen[0]!.sent!.equals(Buffer.concat(parts))).toBe(true);
    expect((await send({})).status).toBe(200);
    expect(seen[1]).toMatchObject({ outcome: "read", bytes: 0 });
  });

  it("answers a body still trickling in at the deadline 408 and closes the connection, without reading the rest", async () => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", () => {});
    socket.write(`POST ${PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{`);
    // One byte every 50 ms: 500 bytes would take 25 s, far under the cap.
    const trickle = setInterval(() => socket.writable && socket.write("a"), 50);
    const started = performance.now();
    try {
      const { answer, closedAfter } = await new Promise<{ answer: string; closedAfter: number }>((resolve) => {
        let answer = "";
        socket.on("data", (chunk: Buffer) => void (answer += chunk.toString()));
        socket.on("close", () => resolve({ answer, closedAfter: performance.now() - started }));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer.endsWith(JSON.stringify({ error: "timeout" }))).toBe(true);
      expect(closedAfter).toBeGreaterThanOrEqual(DEADLINE_MS - 10);
      expect(closedAfter).toBeLessThan(DEADLINE_MS + 1_000);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    expect(seen.map((s) => s.outcome)).toEqual(["timeout"]);
  });

  it("reports a body cut off by the sender as aborted", async () => {
    const req = http.request({ host: "127.0.0.1", port, path: PATH, method: "POST", headers: { "content-length": "1000" } });
    req.on("error", () => {});
    req.write("{\"partial\":");
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();
    await vi.waitFor(() => expect(seen.map((s) => s.outcome)).toEqual(["aborted"]));
  });
});

describe("deliveryHeaders", () => {
  const asRecord = (headers: { forEach(cb: (value: string, name: string) => void): void }) => {
    const record: Record<string, string> = {};
    headers.forEach((value, name) => {
      record[name] = value;
    });
    return record;
  };

  it("reads Node's header record as the web Headers built from it did (what the receiver stores)", () => {
    const name = fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
    const value = fc.string({ unit: fc.constantFrom(..." \ta,;=/é\u00a0\u00ffZ9") });
    fc.assert(
      fc.property(fc.dictionary(name, fc.oneof(value, fc.array(value, { minLength: 1, maxLength: 3 }))), (source) => {
        const web = new Headers();
        for (const [key, v] of Object.entries(source)) for (const part of typeof v === "string" ? [v] : v) web.append(key, part);
        const ours = deliveryHeaders(source)!;
        expect(asRecord(ours)).toEqual(asRecord(web));
        for (const key of Object.keys(source)) expect(ours.get(key)).toBe(web.get(key));
        expect(ours.get("absent-header")).toBeNull();
      }),
      { numRuns: 1_000 },
    );
  });

  it("is null for a value web Headers refuses, so Next.js answers it", () => {
    expect(deliveryHeaders({ "x-a": "ok\u0000no" })).toBeNull();
    expect(deliveryHeaders({ "x-a": ["fine", "bad\nvalue"] })).toBeNull();
    expect(() => new Headers({ "x-a": "ok\u0000no" })).toThrow();
  });
});
