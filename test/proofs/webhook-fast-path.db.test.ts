import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import http, { type IncomingHttpHeaders } from "node:http";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertHub } from "@/db/queries/hubs";
import { webhookEvents } from "@/db/schema";
import { AppError, problemOf } from "@/lib/errors";
import { sealPlatformSecret, sealWabaWebhookSecret, wabaPathToken } from "@/lib/hub-config/secrets";
import { freshDatabase, unavailableReason, type FreshDatabase } from "@/test/db/databases";
import { setTestAppEnv, TEST_APP_ENV } from "@/test/db/use-as-app-db";
import { freePort, signedHeaders } from "./support";

// server.ts answers webhook deliveries before Next.js. This runs the production build twice on one
// PostgreSQL database: through server.ts (as `npm start` does) and through plain `next start` (the Next route),
// sends both the same requests, and requires the same answers, stored rows and log lines. Needs a production
// build of this checkout (`npx next build`); Next.js answers its route with a chunked body, the fast path with a
// Content-Length, which shows which one served.

const REPO = path.resolve(import.meta.dirname, "../..");
const SECRET = "fast-path-platform-secret-0123456789";
const WABA_SECRET = "fast-path-waba-secret-0123456789";
const CAP = 256 * 1024;
const BODY_READ_TIMEOUT_MS = 1_000;

const noBuild = existsSync(path.join(REPO, ".next", "BUILD_ID")) ? null : "no production build (run `npx next build` in a private checkout)";
const skip = unavailableReason("postgres") ?? noBuild;

type Reply = { status: number | string; headers: IncomingHttpHeaders; body: string };
type Server = { name: string; port: number; child: ChildProcess; out: () => string; stop: () => Promise<void> };

function request(port: number, options: { method?: string; path: string; headers?: Record<string, string | number>; body?: Buffer | string }): Promise<Reply> {
  return new Promise((resolve) => {
    // No agent: each request on its own connection, path sent exactly as written (dot segments, encodings).
    const req = http.request({ host: "127.0.0.1", port, method: options.method ?? "POST", path: options.path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ status: error.code ?? "error", headers: {}, body: "" }));
    req.end(options.body);
  });
}

/** 10 MB in 64 KiB writes, as bench/webhook-ingest/load.ts does: the status, or the error the sender saw first. */
function oversized(port: number, partnerId: string, declared: boolean): Promise<number | string> {
  const total = 10 * 1024 * 1024;
  return new Promise((resolve) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: `/api/webhooks/360dialog/${partnerId}`,
      agent: false,
      headers: declared ? { "content-length": total } : { "transfer-encoding": "chunked" },
    });
    req.on("response", (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

type SlowReply = Reply & { answeredAfter: number; closedAfter: number };

/** A delivery whose body (declared in full) arrives one byte every 100 ms: the answer, and when the connection closed. */
function trickled(port: number, options: { path: string; headers: Record<string, string>; body: string }): Promise<SlowReply> {
  return new Promise((resolve) => {
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: options.path,
      agent: false,
      headers: { ...options.headers, "content-length": Buffer.byteLength(options.body) },
    });
    const started = performance.now();
    let sent = 0;
    const trickle = setInterval(() => {
      if (sent < options.body.length && req.writable) req.write(options.body[sent++]);
    }, 100);
    req.on("error", () => {});
    req.on("response", (res) => {
      const answeredAfter = performance.now() - started;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        req.socket?.once("close", () => {
          clearInterval(trickle);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString(), answeredAfter, closedAfter: performance.now() - started });
        });
      });
    });
    req.flushHeaders();
  });
}

function start(name: string, args: string[], port: number, env: Record<string, string>): Server {
  const base: Record<string, string> = {};
  for (const key of ["PATH", "HOME", "TMPDIR", "LANG", "TZ"]) if (process.env[key] !== undefined) base[key] = process.env[key]!;
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...base, ...TEST_APP_ENV, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", PORT: String(port), NEXTAUTH_URL: `http://127.0.0.1:${port}`, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (c: string) => void (out += c));
  child.stderr!.setEncoding("utf8").on("data", (c: string) => void (out += c));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    name,
    port,
    child,
    out: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function ready(server: Server): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited:\n${server.out().slice(-3_000)}`);
    if ((await request(server.port, { method: "GET", path: "/api/health" })).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${server.name} not ready:\n${server.out().slice(-3_000)}`);
}

/** Headers that differ between any two connections or framings, not between the two receivers. */
function comparable(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { date: _d, connection: _c, "keep-alive": _k, "transfer-encoding": _t, "content-length": _l, ...rest } = headers;
  return rest;
}

/** The receiver's log lines, as JSON, without what varies from one run to the next. */
function deliveryLogs(server: Server): Record<string, unknown>[] {
  return server
    .out()
    .split("\n")
    .filter((line) => line.includes('"webhook delivery"'))
    .map((line) => {
      const { time: _t, durationMs: _d, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
}

describe.skipIf(skip)(`webhook fast path in server.ts, production build [postgres]${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let fresh: FreshDatabase | undefined;
  let work = "";
  let fast: Server;
  let nextOnly: Server;
  const partnerId = `fp${randomUUID().slice(0, 8)}`;
  let hubId = "";
  // docs/hub-settings.md §5–6: a hub without a platform secret (deliveries stored unverified) and an archived hub
  // (stored, held until restored).
  const noSecretPartnerId = `fpn${randomUUID().slice(0, 8)}`;
  const archivedPartnerId = `fpa${randomUUID().slice(0, 8)}`;
  const noSecretHubId = randomUUID();

  beforeAll(async () => {
    setTestAppEnv(); // seals the platform secret with the key the servers open it with
    fresh = await freshDatabase("postgres");
    hubId = randomUUID();
    await insertHub({
      db: fresh.handle.db,
      hub: {
        id: hubId,
        name: "Fast path hub",
        partnerId,
        partnerApiBaseUrl: "http://127.0.0.1:9/api",
        ioBaseUrl: "http://127.0.0.1:9/io",
        platformSecretEnc: sealPlatformSecret(hubId, SECRET),
        wabaWebhookSecretEnc: sealWabaWebhookSecret(hubId, WABA_SECRET),
      },
    });
    await insertHub({
      db: fresh.handle.db,
      hub: { id: noSecretHubId, name: "No secret hub", partnerId: noSecretPartnerId, partnerApiBaseUrl: "http://127.0.0.1:9/api", ioBaseUrl: "http://127.0.0.1:9/io" },
    });
    const archivedId = randomUUID();
    await insertHub({
      db: fresh.handle.db,
      hub: { id: archivedId, name: "Archived hub", partnerId: archivedPartnerId, partnerApiBaseUrl: "http://127.0.0.1:9/api", ioBaseUrl: "http://127.0.0.1:9/io", platformSecretEnc: sealPlatformSecret(archivedId, SECRET), archivedAt: new Date() },
    });
    work = mkdtempSync(path.join(os.tmpdir(), "portal-fast-path-"));
    const env = {
      DATABASE_URL: fresh.url!,
      SANDBOX: "off",
      JOBS_IN_PROCESS: "false",
      LOG_LEVEL: "info",
      WEBHOOK_MAX_BYTES: String(CAP),
      BODY_READ_TIMEOUT_MS: String(BODY_READ_TIMEOUT_MS),
    };
    const [fastPort, nextPort] = [await freePort(), await freePort()];
    fast = start("server.ts", ["--import", "tsx", "server.ts"], fastPort, { ...env, DATA_DIR: path.join(work, "fast") });
    nextOnly = start("next start", [path.join(REPO, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(nextPort), "-H", "127.0.0.1"], nextPort, {
      ...env,
      DATA_DIR: path.join(work, "next"),
    });
    await Promise.all([ready(fast), ready(nextOnly)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([fast?.stop(), nextOnly?.stop()]);
    await fresh?.dispose();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("answers every request on the webhook path, and the paths that only look like it, as the Next route does", async () => {
    const route = `/api/webhooks/360dialog/${partnerId}`;
    const event = (id: string) => JSON.stringify({ id, event: "channel_running", data: { id: `ch-${id}`, client_id: `cl-${id}`, status: "running" } });
    const signed = (body: string) => ({ ...signedHeaders(body, SECRET), "x-forwarded-for": "198.51.100.7", "user-agent": "360dialog-test" });
    const bad = { "x-360dialog-signature": "0".repeat(64), "content-type": "application/json" };
    const waba = `/api/webhooks/waba/${hubId}`;
    const meta = (id: string) =>
      JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "102290129340398", time: 1, changes: [{ field: "account_alerts", value: { entity_id: id, alert_info: { alert_type: "X" } } }] }] });
    // Per server, so each stores its own rows; `same` bodies are identical for both.
    const cases = (server: string): { name: string; fast: boolean; method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }[] => [
      { name: "signed", fast: true, path: route, headers: signed(event(`${server}-1`)), body: event(`${server}-1`) },
      { name: "signed again (duplicate)", fast: true, path: route, headers: signed(event(`${server}-1`)), body: event(`${server}-1`) },
      { name: "signed, not JSON (ignored)", fast: true, path: route, headers: signed(`not json ${server}`), body: `not json ${server}` },
      { name: "signed, query string", fast: true, path: `${route}?from=360dialog`, headers: signed(event(`${server}-2`)), body: event(`${server}-2`) },
      { name: "bad signature", fast: true, path: route, headers: bad, body: event("same") },
      { name: "no signature", fast: true, path: route, body: event("same") },
      { name: "unknown partner", fast: true, path: "/api/webhooks/360dialog/nobody", headers: bad, body: event("same") },
      { name: "hub without a platform secret (stored unverified)", fast: true, path: `/api/webhooks/360dialog/${noSecretPartnerId}`, headers: { "content-type": "application/json" }, body: event(`${server}-u`) },
      // Stored (and held by its job) on both servers, so each sends its own body.
      { name: "archived hub, signed", fast: true, path: `/api/webhooks/360dialog/${archivedPartnerId}`, headers: signed(event(`${server}-a`)), body: event(`${server}-a`) },
      // Meta's WABA webhook (docs/waba-webhook.md §2): the same fast path, the same one store statement.
      { name: "WABA, secret header", fast: true, path: waba, headers: { "content-type": "application/json", "x-portal-waba-secret": WABA_SECRET }, body: meta(`${server}-w1`) },
      { name: "WABA, secret in the URL", fast: true, path: `${waba}/${wabaPathToken(WABA_SECRET)}`, headers: { "content-type": "application/json" }, body: meta(`${server}-w2`) },
      { name: "WABA, no secret (stored unverified)", fast: true, path: waba, headers: { "content-type": "application/json" }, body: meta(`${server}-w3`) },
      { name: "WABA, wrong secret in the URL", fast: true, path: `${waba}/${"0".repeat(64)}`, headers: { "content-type": "application/json" }, body: meta("same") },
      { name: "WABA, wrong secret header", fast: true, path: waba, headers: { "content-type": "application/json", "x-portal-waba-secret": "guess" }, body: meta("same") },
      { name: "WABA, unknown hub", fast: true, path: `/api/webhooks/waba/${randomUUID()}`, headers: { "x-portal-waba-secret": WABA_SECRET }, body: meta("same") },
      { name: "WABA, not a token", fast: false, path: `${waba}/not-a-token`, headers: { "content-type": "application/json" }, body: meta("same") },
      { name: "partner id too long", fast: false, path: `/api/webhooks/360dialog/${"a".repeat(65)}`, headers: bad, body: "{}" },
      { name: "declared length over the cap", fast: true, path: route, headers: { "content-length": String(CAP + 1) }, body: Buffer.alloc(CAP + 1, 0x20) },
      { name: "chunked body over the cap", fast: true, path: route, headers: { "transfer-encoding": "chunked" }, body: Buffer.alloc(CAP + 10, 0x20) },
      { name: "trailing slash", fast: false, path: `${route}/`, headers: bad, body: "{}" },
      { name: "empty id", fast: false, path: "/api/webhooks/360dialog/", headers: bad, body: "{}" },
      { name: "encoded slash", fast: false, path: "/api/webhooks/360dialog/a%2Fb", headers: bad, body: "{}" },
      { name: "encoded id", fast: false, path: `/api/webhooks/360dialog/%${partnerId.charCodeAt(0).toString(16)}${partnerId.slice(1)}`, headers: bad, body: "{}" },
      { name: "dot segments", fast: false, path: `/api/webhooks/360dialog/../360dialog/${partnerId}`, headers: bad, body: "{}" },
      { name: "doubled slash", fast: false, path: `/api/webhooks/360dialog//${partnerId}`, headers: bad, body: "{}" },
      { name: "GET", fast: false, method: "GET", path: route },
      { name: "HEAD", fast: false, method: "HEAD", path: route },
      { name: "OPTIONS", fast: false, method: "OPTIONS", path: route },
      { name: "PUT", fast: false, method: "PUT", path: route, headers: bad, body: "{}" },
    ];

    for (const [index, one] of cases("fast").entries()) {
      const other = cases("next")[index]!;
      const viaFast = await request(fast.port, one);
      const viaNext = await request(nextOnly.port, other);
      const what = `${one.name}: ${one.method ?? "POST"} ${one.path}`;
      expect({ status: viaFast.status, body: viaFast.body, headers: comparable(viaFast.headers) }, what).toEqual({
        status: viaNext.status,
        body: viaNext.body,
        headers: comparable(viaNext.headers),
      });
      // Which code answered: Next.js streams its route responses, the fast path sends a length.
      if (one.fast) {
        expect(viaFast.headers["content-length"], what).toBeDefined();
        expect(viaNext.headers["transfer-encoding"], what).toBe("chunked");
      }
    }

    // The same rows: the stored headers differ only by each server's port, the address header server.ts adds, and
    // the client-written X-Forwarded-For it drops (TRUST_PROXY_HOPS=0), which Next.js then fills from the socket.
    const rows = await fresh!.handle.db.select().from(webhookEvents).where(eq(webhookEvents.hubId, hubId));
    const stored = (server: string, id: string) => rows.find((r) => r.dedupKey === `id:${server}-${id}`);
    for (const id of ["1", "2"]) {
      const [viaFast, viaNext] = [stored("fast", id), stored("next", id)];
      expect(viaFast?.deliveries).toBe(id === "1" ? 2 : 1);
      expect(viaNext?.deliveries).toBe(viaFast?.deliveries);
      const normalise = (headers: Record<string, string>, port: number) =>
        JSON.parse(JSON.stringify(headers).replaceAll(String(port), "PORT")) as Record<string, string>;
      expect(viaNext!.headers["x-forwarded-for"]).toBe("198.51.100.7");
      expect(normalise(viaFast!.headers, fast.port)).toEqual({
        ...normalise(viaNext!.headers, nextOnly.port),
        "x-portal-client-ip": "127.0.0.1",
        "x-forwarded-for": "127.0.0.1",
      });
      const unnamed = (row: typeof viaFast, server: string) => JSON.parse(JSON.stringify({ ...row, id: "", headers: {}, receivedAt: null }).replaceAll(server, "SERVER")) as unknown;
      expect(unnamed(viaFast, "fast")).toEqual(unnamed(viaNext, "next"));
    }
    expect(rows.filter((r) => r.status === "ignored")).toHaveLength(2);
    // WABA deliveries: stored by both servers alike, proven by header or URL, or unverified without either.
    const wabaRows = rows.filter((r) => r.source === "waba").map((r) => [r.rawBody.includes("-w1") ? "w1" : r.rawBody.includes("-w2") ? "w2" : "w3", r.signatureResult, r.status]);
    expect(wabaRows.sort()).toEqual(
      [
        ["w1", "hub_secret", "pending"],
        ["w1", "hub_secret", "pending"],
        ["w2", "hub_secret", "pending"],
        ["w2", "hub_secret", "pending"],
        ["w3", "unsigned", "pending"],
        ["w3", "unsigned", "pending"],
      ].sort(),
    );
    const unverified = await fresh!.handle.db.select().from(webhookEvents).where(eq(webhookEvents.hubId, noSecretHubId));
    expect(unverified.map((r) => [r.dedupKey, r.signatureResult, r.status]).sort()).toEqual([
      ["id:fast-u", "unsigned", "pending"],
      ["id:next-u", "unsigned", "pending"],
    ]);

    // The same log lines, in the same order, apart from the time and duration.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(deliveryLogs(fast)).toEqual(deliveryLogs(nextOnly));
    expect(deliveryLogs(fast).length).toBeGreaterThanOrEqual(10);
  });

  it("answers a signed delivery still trickling in at BODY_READ_TIMEOUT_MS 408 as the Next route does, closes, stores nothing", async () => {
    const route = `/api/webhooks/360dialog/${partnerId}`;
    const body = (server: string) => JSON.stringify({ id: `slow-${server}`, event: "channel_running", data: { id: `ch-slow-${server}`, status: "running" } });
    const [viaFast, viaNext] = await Promise.all([
      trickled(fast.port, { path: route, headers: signedHeaders(body("fast"), SECRET), body: body("fast") }),
      trickled(nextOnly.port, { path: route, headers: signedHeaders(body("next"), SECRET), body: body("next") }),
    ]);
    for (const [name, reply] of [["server.ts", viaFast], ["next start", viaNext]] as const) {
      expect({ status: reply.status, body: reply.body, connection: reply.headers.connection }, name).toEqual({
        status: 408,
        body: JSON.stringify(problemOf(new AppError("timeout", "request timeout"))),
        connection: "close",
      });
      expect(reply.answeredAfter, name).toBeGreaterThanOrEqual(BODY_READ_TIMEOUT_MS - 50);
      expect(reply.closedAfter, name).toBeLessThan(BODY_READ_TIMEOUT_MS + 2_000);
    }
    expect(comparable(viaFast.headers)).toEqual(comparable(viaNext.headers));
    const rows = await fresh!.handle.db.select().from(webhookEvents).where(eq(webhookEvents.hubId, hubId));
    expect(rows.filter((r) => r.dedupKey.startsWith("id:slow-"))).toEqual([]);
  });

  it("gives a 10 MB body its 413 every time, declared or streamed, before the connection closes", async () => {
    // Without the drain before the end, about one in ten of these sees EPIPE instead: enough tries to notice.
    const outcomes: (number | string)[] = [];
    for (let i = 0; i < 30; i++) outcomes.push(await oversized(fast.port, partnerId, i % 2 === 0));
    expect(outcomes).toEqual(Array(30).fill(413));
  });
});
