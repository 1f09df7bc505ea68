import { randomUUID } from "node:crypto";
import type * as NodeCrypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, expect, it, vi } from "vitest";
import { GET, OPTIONS, POST, PUT } from "@/app/api/webhooks/360dialog/[partnerId]/route";
import { insertHub, updateHub } from "@/db/queries/hubs";
import { jobs, webhookEvents } from "@/db/schema";
import { signWebhookBody } from "@/lib/hub/webhook-signature";
import { sealPlatformSecret } from "@/lib/hub-config/secrets";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import { captureAppLogs, setTestAppEnv, bindAppDatabase, type CapturedLogs } from "@/test/db/use-as-app-db";
import { forgetCachedHubs } from "@/lib/hub-config/cache";
import { listHubSummaries, setHubArchived } from "@/lib/hub-config/settings";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { applyWebhookEvent } from "./apply";
import { createUser } from "@/test/support/channels";
import { resetEnvForTests } from "@/lib/env";
import { redactPaths } from "@/lib/log";
import { AppError, problemOf, type ErrorCode } from "@/lib/errors";

const problem = (code: ErrorCode, detail: string) => JSON.stringify(problemOf(new AppError(code, detail)));
const INVALID_SIGNATURE = problem("unauthenticated:signature", "invalid signature");



// Every HMAC the receiver computes, counted: the signature work is the bulk of a delivery's time.
const hmacs = vi.hoisted(() => ({ count: 0 }));
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof NodeCrypto>();
  const createHmac: typeof actual.createHmac = (...args: Parameters<typeof actual.createHmac>) => {
    hmacs.count++;
    return actual.createHmac(...args);
  };
  return { ...actual, createHmac, default: { ...actual, createHmac } };
});

const SECRET = "platform-secret-current-0123456789";
const OLD_SECRET = "platform-secret-previous-9876543210";
const CAP = 256 * 1024;

let logs: CapturedLogs;
beforeAll(() => {
  setTestAppEnv();
  logs = captureAppLogs();
});
afterAll(() => logs.restore());

function deliver(partnerId: string, body: BodyInit | null, headers: Record<string, string> = {}, method = "POST") {
  const request = new Request(`http://127.0.0.1:3000/api/webhooks/360dialog/${partnerId}`, {
    method,
    body,
    headers,
    duplex: "half",
  } as RequestInit);
  const handler = method === "POST" ? POST : method === "GET" ? GET : method === "PUT" ? PUT : OPTIONS;
  return handler(request, { params: Promise.resolve({ partnerId }) });
}

const signed = (body: string, secret = SECRET, encoding: "hex" | "base64" = "hex") => ({
  "x-360dialog-signature": signWebhookBody(body, secret, encoding),
  "content-type": "application/json",
});

const channelEvent = (id: string, event = "channel_running") =>
  JSON.stringify({
    id,
    event,
    data: { id: `ch_${id}`, client_id: `cl_${id}`, status: "running", setup_info: { phone_number: "+4915123456789" } },
  });

forEachDatabase("webhook receiver", (ctx) => {
  let restoreDb: () => void;
  let hubId: string;
  let partnerId: string;

  async function seedHub(options: { secret?: string | null; previous?: { secret: string; expiresAt: Date } } = {}) {
    const id = randomUUID();
    const pid = `pa${id.slice(0, 8)}`;
    const secret = options.secret === undefined ? SECRET : options.secret;
    await insertHub({
      db: ctx.get().db,
      hub: {
        id,
        name: "Test hub",
        partnerId: pid,
        partnerApiBaseUrl: "http://127.0.0.1:9/api/v2",
        ioBaseUrl: "http://127.0.0.1:9/io",
        platformSecretEnc: secret ? sealPlatformSecret(id, secret) : null,
        previousPlatformSecretEnc: options.previous ? sealPlatformSecret(id, options.previous.secret, "previous") : null,
        previousSecretExpiresAt: options.previous?.expiresAt ?? null,
      },
    });
    return { id, partnerId: pid };
  }

  const rowsOf = (hub: string) => ctx.get().db.select().from(webhookEvents).where(eq(webhookEvents.hubId, hub));
  const jobsFor = (eventId: string) =>
    ctx.get().db.select().from(jobs).where(sql`${jobs.kind} = 'webhook.process' and ${jobs.payload}->>'webhookEventId' = ${eventId}`);

  beforeAll(async () => {
    restoreDb = bindAppDatabase(ctx.get());
    ({ id: hubId, partnerId } = await seedHub());
  });
  afterAll(() => restoreDb());
  beforeEach(() => logs.clear());

  it("accepts only correctly signed raw bytes (R1 vectors)", async () => {
    const body = channelEvent("vec");
    const good = signWebhookBody(body, SECRET);
    const flipped = Buffer.from(body);
    flipped[10] = flipped[10]! ^ 0x01;
    const rejected: [string, BodyInit, Record<string, string>][] = [
      ["missing", body, {}],
      ["empty", body, { "x-360dialog-signature": "" }],
      ["truncated", body, { "x-360dialog-signature": good.slice(0, 63) }],
      ["one digit off", body, { "x-360dialog-signature": good.slice(0, 63) + (good.endsWith("0") ? "1" : "0") }],
      ["wrong secret", body, signed(body, "not-the-secret")],
      ["flipped body byte", flipped, { "x-360dialog-signature": good }],
      ["reformatted JSON", JSON.stringify(JSON.parse(body), null, 2), { "x-360dialog-signature": good }],
      ["signature of another body", channelEvent("other"), { "x-360dialog-signature": good }],
      ["sha512 length", body, { "x-360dialog-signature": good + good }],
    ];
    for (const [name, payload, headers] of rejected) {
      const res = await deliver(partnerId, payload, headers);
      expect({ name, status: res.status, body: await res.text() }).toEqual({ name, status: 401, body: INVALID_SIGNATURE });
    }
    expect(await rowsOf(hubId)).toHaveLength(0);

    const accepted: [string, string, Record<string, string>][] = [
      ["hex", channelEvent("v1"), signed(channelEvent("v1"))],
      ["HEX", channelEvent("v2"), { "x-360dialog-signature": signWebhookBody(channelEvent("v2"), SECRET).toUpperCase() }],
      ["base64", channelEvent("v3"), signed(channelEvent("v3"), SECRET, "base64")],
      ["sha256= prefix", channelEvent("v4"), { "x-360dialog-signature": `sha256=${signWebhookBody(channelEvent("v4"), SECRET)}` }],
    ];
    for (const [name, payload, headers] of accepted) {
      const res = await deliver(partnerId, payload, headers);
      expect({ name, status: res.status, body: await res.json() }).toEqual({ name, status: 200, body: { ok: true } });
    }
    expect(await rowsOf(hubId)).toHaveLength(4);
  });

  it("stores the delivery byte for byte with its ids, a job and no secret header", async () => {
    const body = channelEvent("store");
    const res = await deliver(partnerId, body, {
      ...signed(body),
      authorization: "Bearer sentinel-auth",
      cookie: "sid=sentinel-cookie",
      "x-api-key": "sentinel-key",
      "x-partner-auth": "sentinel-partner",
      "x-session-token": "sentinel-token",
      "x-client-secret": "sentinel-secret",
      "user-agent": "360dialog-test",
    });
    expect(res.status).toBe(200);
    const [row] = (await rowsOf(hubId)).filter((r) => r.dedupKey === "id:store");
    expect(row).toMatchObject({
      event: "channel_running",
      rawBody: body,
      status: "pending",
      signatureResult: "valid",
      channelExternalId: "ch_store",
      clientExternalId: "cl_store",
      deliveries: 1,
      attempts: 0,
    });
    expect(row!.headers).toEqual({ "content-type": "application/json", "user-agent": "360dialog-test" });
    expect(JSON.stringify(row!.headers)).not.toMatch(/sentinel|[0-9a-f]{64}/);
    const queued = await jobsFor(row!.id);
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ uniqueKey: `webhook:${row!.id}`, status: "queued" });
  });

  it("writes one line per delivery with its fixed fields, none of them a path the log redacts (docs/security.md R20)", async () => {
    // ingest.ts writes this line without pino's redaction (bench/README.md): that is safe only while no field of
    // it is one redaction would censor.
    const body = channelEvent("logfields");
    expect((await deliver(partnerId, body, signed(body))).status).toBe(200);
    expect((await deliver(partnerId, body, signed(body, "not-the-secret"))).status).toBe(401);
    const lines = logs.lines().filter((l) => l.msg === "webhook delivery");
    expect(lines.map((l) => l.outcome)).toEqual(["stored", "invalid_signature"]);
    const fields = new Set(["level", "time", "component", "partnerId", "event", "outcome", "status", "durationMs", "msg"]);
    const censored = new Set(redactPaths.map((path) => path.replace(/^\*\./, "").split(/[.[]/)[0]!));
    for (const line of lines) {
      expect(Object.keys(line).filter((key) => !fields.has(key))).toEqual([]);
      expect(Object.keys(line).filter((key) => censored.has(key))).toEqual([]);
    }
    expect(lines[0]).toMatchObject({ component: "webhooks", partnerId, event: "channel_running", status: 200 });
  });

  it("absorbs a duplicate delivery: one row counting two deliveries, one job", async () => {
    const body = channelEvent("dup");
    expect((await deliver(partnerId, body, signed(body))).status).toBe(200);
    expect((await deliver(partnerId, body, signed(body, SECRET, "base64"))).status).toBe(200);
    const rows = (await rowsOf(hubId)).filter((r) => r.dedupKey === "id:dup");
    expect(rows.map((r) => r.deliveries)).toEqual([2]);
    expect(await jobsFor(rows[0]!.id)).toHaveLength(1);
    // Without a provider id the key is the body's hash: same bytes dedupe, other bytes do not.
    const noId = JSON.stringify({ event: "channel_ready", data: { id: "ch_noid" } });
    await deliver(partnerId, noId, signed(noId));
    await deliver(partnerId, noId, signed(noId));
    await deliver(partnerId, `${noId} `, signed(`${noId} `));
    const hashed = (await rowsOf(hubId)).filter((r) => r.dedupKey.startsWith("sha256:") && r.channelExternalId === "ch_noid");
    expect(hashed.map((r) => r.deliveries).sort()).toEqual([1, 2]);
  });

  it("stores and acknowledges an unknown event for processing", async () => {
    const body = JSON.stringify({ id: "unk", event: "cancellation_request", data: { whatever: true } });
    const res = await deliver(partnerId, body, signed(body));
    expect(res.status).toBe(200);
    const [row] = (await rowsOf(hubId)).filter((r) => r.dedupKey === "id:unk");
    expect(row).toMatchObject({ event: "cancellation_request", status: "pending" });
    expect(await jobsFor(row!.id)).toHaveLength(1);
  });

  it("keeps a signed body that is not an event as ignored, acknowledged and never queued", async () => {
    for (const body of ["{not json", "[1,2,3]", '{"no":"event"}', "\u0000\u00ff garbage"]) {
      const res = await deliver(partnerId, body, signed(body));
      expect(res.status).toBe(200);
    }
    const ignored = (await rowsOf(hubId)).filter((r) => r.event === "invalid");
    expect(ignored).toHaveLength(4);
    expect(ignored.every((r) => r.status === "ignored")).toBe(true);
    for (const row of ignored) expect(await jobsFor(row.id)).toHaveLength(0);
    expect(ignored.map((r) => r.rawBody)).toContain("{not json");
  });

  it("stores signed events whose strings PostgreSQL would refuse (NUL, lone surrogate, huge name)", async () => {
    const body = JSON.stringify({ id: "nul", event: `x\u0000y${"e".repeat(5_000)}`, data: { id: "ch\u0000\ud800" } });
    expect((await deliver(partnerId, body, signed(body))).status).toBe(200);
    const [row] = (await rowsOf(hubId)).filter((r) => r.dedupKey === "id:nul");
    expect(row!.event.length).toBeLessThanOrEqual(200);
  });

  it("keeps a leading byte-order mark in the stored body", async () => {
    const body = `\uFEFF${JSON.stringify({ id: "bom", event: "channel_created", data: { id: "ch_bom" } })}`;
    expect((await deliver(partnerId, body, signed(body))).status).toBe(200);
    // Compared in bytes: PGlite's client drops a BOM when it decodes text it reads back.
    const [row] = await selectRows<{ n: number; starts: boolean }>(
      ctx.get().db,
      sql`select octet_length(raw_body) as n, starts_with(raw_body, ${"\uFEFF"}) as starts from webhook_events where dedup_key = 'id:bom'`,
    );
    expect(row).toEqual({ n: Buffer.byteLength(body), starts: true });
  });

  it("uses the previous secret only until its expiry (F7)", async () => {
    const hub = await seedHub({ secret: "rotated-new-secret-123456", previous: { secret: OLD_SECRET, expiresAt: new Date(Date.now() + 3_600_000) } });
    const old = channelEvent("rot1");
    expect((await deliver(hub.partnerId, old, signed(old, OLD_SECRET))).status).toBe(200);
    const [row] = await rowsOf(hub.id);
    expect(row!.signatureResult).toBe("valid_previous");

    await updateHub({ db: ctx.get().db, id: hub.id, set: { previousSecretExpiresAt: new Date(Date.now() - 1_000) } });
    forgetCachedHubs(); // as a settings save does
    const late = channelEvent("rot2");
    expect((await deliver(hub.partnerId, late, signed(late, OLD_SECRET))).status).toBe(401);
    expect((await deliver(hub.partnerId, late, signed(late, "rotated-new-secret-123456"))).status).toBe(200);
    expect((await rowsOf(hub.id)).map((r) => r.signatureResult).sort()).toEqual(["valid", "valid_previous"]);
  });

  it("stores a delivery to a hub without a platform secret as unverified, never applied as sent, warning once a minute", async () => {
    const hub = await seedHub({ secret: null });
    const bodies = [channelEvent("nosecret-a"), channelEvent("nosecret-b"), channelEvent("nosecret-c")];
    const attempts: Record<string, string>[] = [{}, signed(bodies[1]!), { "x-360dialog-signature": "0".repeat(64) }];
    for (const [i, headers] of attempts.entries()) {
      const res = await deliver(hub.partnerId, bodies[i]!, headers);
      expect(res.status).toBe(200);
    }
    const rows = await rowsOf(hub.id);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({ signatureResult: "unsigned", status: "pending", confirmation: null });
      // Its job is the ordinary one: applyWebhookEvent sees "unsigned" and asks the Partner API instead.
      expect(await jobsFor(row.id)).toHaveLength(1);
      expect(row.headers["x-360dialog-signature"]).toBeUndefined();
    }
    // The same bytes again: one row, counted twice.
    expect((await deliver(hub.partnerId, bodies[0]!, {})).status).toBe(200);
    expect(await rowsOf(hub.id)).toHaveLength(3);
    const warnings = logs.lines().filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.msg)).toMatch(/platform secret/);
  });

  it("keeps refusing an unsigned or wrongly signed delivery when a secret is saved", async () => {
    const body = channelEvent("strict");
    for (const headers of [{}, signed(body, "not-the-secret")]) {
      const res = await deliver(partnerId, body, headers);
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(INVALID_SIGNATURE);
    }
    expect((await rowsOf(hubId)).filter((r) => r.signatureResult === "unsigned")).toHaveLength(0);
  });

  it("stores deliveries to an archived hub (after the signature check), holds them, and applies them once the hub is restored", async () => {
    const { db } = ctx.get();
    const hub = await seedHub();
    await updateHub({ db, id: hub.id, set: { archivedAt: new Date() } });
    forgetCachedHubs();
    const body = channelEvent("archived");
    const wrong = await deliver(hub.partnerId, body, signed(body, "not-the-secret"));
    expect(wrong.status).toBe(401);
    const res = await deliver(hub.partnerId, body, signed(body));
    expect(res.status).toBe(200);
    const [row] = await rowsOf(hub.id);
    expect(row).toMatchObject({ status: "pending", signatureResult: "valid" });
    // Processing while archived holds it: nothing applied (docs/hub-settings.md §6.6).
    expect(await applyWebhookEvent(row!.id, { db })).toMatchObject({ status: "held" });
    expect((await rowsOf(hub.id))[0]).toMatchObject({ status: "held", lastError: expect.stringContaining("archived") });
    expect(await findChannelByExternalId({ db, hubId: hub.id, externalId: "ch_archived" })).toBeUndefined();
    expect((await listHubSummaries()).find((h) => h.id === hub.id)?.held).toBe(1);

    // A hub without a platform secret: stored unverified, held the same way.
    const noSecret = await seedHub({ secret: null });
    await updateHub({ db, id: noSecret.id, set: { archivedAt: new Date() } });
    forgetCachedHubs();
    expect((await deliver(noSecret.partnerId, body, {})).status).toBe(200);
    const [unverified] = await rowsOf(noSecret.id);
    expect(await applyWebhookEvent(unverified!.id, { db })).toMatchObject({ status: "held" });

    // Restoring queues every held delivery again, in the same transaction; its job applies it.
    const admin = await createUser(db, "admin");
    await setHubArchived({ id: admin.id, email: admin.email }, hub.id, false);
    const [released] = await rowsOf(hub.id);
    expect(released).toMatchObject({ status: "pending", lastError: null });
    const queued = await db.select().from(jobs).where(sql`${jobs.payload}->>'webhookEventId' = ${released!.id} and ${jobs.uniqueKey} like '%:restored:%'`);
    expect(queued.map((j) => [j.kind, j.status])).toEqual([["webhook.process", "queued"]]);
    expect(await applyWebhookEvent(released!.id, { db })).toMatchObject({ status: "done" });
    expect(await findChannelByExternalId({ db, hubId: hub.id, externalId: "ch_archived" })).toMatchObject({ status: "running" });
    // The other hub stays archived, its delivery held.
    expect((await rowsOf(noSecret.id))[0]).toMatchObject({ status: "held" });
  });

  it("answers 404 for a malformed partner id (no partner can have one), 405 for other methods", async () => {
    const body = channelEvent("nf");
    for (const pid of ["a".repeat(65), "..", "pa%2F..", "pa id", ""]) {
      const res = await deliver(pid, body, signed(body));
      expect({ pid, status: res.status }).toEqual({ pid, status: 404 });
      expect(await res.json()).toMatchObject({ status: 404, code: "not_found:partner", detail: "not found" });
    }
    for (const method of ["GET", "PUT", "OPTIONS"]) {
      const res = await deliver(partnerId, method === "GET" || method === "OPTIONS" ? null : body, {}, method);
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("POST");
      expect(await res.json()).toMatchObject({ status: 405, code: "method_not_allowed" });
    }
  });

  it("answers an unknown partner id exactly as a known one with a wrong signature: which partners exist stays hidden", async () => {
    const count = async () => (await selectRows<{ n: number }>(ctx.get().db, sql`select count(*)::int as n from webhook_events`))[0]!.n;
    const before = await count();
    const body = channelEvent("probe");
    const answer = async (res: Response) => ({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() });
    const attempts: Record<string, string>[] = [{}, { "x-360dialog-signature": "0".repeat(64) }, signed(body, "guessed-secret")];
    for (const headers of attempts) {
      const known = await answer(await deliver(partnerId, body, headers));
      expect(known).toMatchObject({ status: 401, body: INVALID_SIGNATURE });
      expect(await answer(await deliver("unknownPA", body, headers))).toEqual(known);
    }
    // Not even the known hub's own signature gets anywhere on another id.
    const stolen = await answer(await deliver("unknownPA", body, signed(body, SECRET)));
    expect(stolen).toMatchObject({ status: 401, body: INVALID_SIGNATURE });

    expect(await count()).toBe(before);
    // The log still tells the operator which it was.
    expect(logs.lines().filter((l) => l.partnerId === "unknownPA").map((l) => l.outcome)).toEqual(Array(4).fill("unknown_hub"));
  });

  it("spends the same signature work on an unknown partner id as on a known one, so the time taken tells nothing", async () => {
    const noSecret = await seedHub({ secret: null });
    const body = channelEvent("timing");
    const hmacsFor = async (pid: string) => {
      const before = hmacs.count;
      // The hub without a secret stores it as unverified (200); the others refuse it.
      expect((await deliver(pid, body, { "x-360dialog-signature": "0".repeat(64) })).status).toBe(pid === noSecret.partnerId ? 200 : 401);
      return hmacs.count - before;
    };
    expect(await hmacsFor(partnerId)).toBe(1);
    expect(await hmacsFor("unknownPA")).toBe(1);
    expect(await hmacsFor(noSecret.partnerId)).toBe(1);
  });

  it("answers a body still trickling in at BODY_READ_TIMEOUT_MS 408, closes, and stores nothing", async () => {
    process.env.BODY_READ_TIMEOUT_MS = "300";
    resetEnvForTests();
    const body = channelEvent("slow");
    let timer: NodeJS.Timeout | undefined;
    let sent = 0;
    const trickle = new ReadableStream<Uint8Array>({
      start(controller) {
        // The signed body one byte every 25 ms: 4 s for the whole of it, far under the cap.
        timer = setInterval(() => {
          if (sent === body.length) return controller.close();
          controller.enqueue(new TextEncoder().encode(body[sent++]));
        }, 25);
      },
      cancel: () => clearInterval(timer),
    });
    try {
      const started = performance.now();
      const res = await deliver(partnerId, trickle, signed(body));
      const elapsed = performance.now() - started;
      expect({ status: res.status, connection: res.headers.get("connection"), body: await res.json() }).toEqual({
        status: 408,
        connection: "close",
        body: { type: "about:blank", title: "Request Timeout", status: 408, detail: "request timeout", code: "timeout" },
      });
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1_500);
      expect(sent).toBeLessThan(body.length);
    } finally {
      clearInterval(timer);
      delete process.env.BODY_READ_TIMEOUT_MS;
      resetEnvForTests();
    }
    expect((await rowsOf(hubId)).filter((r) => r.dedupKey === "id:slow")).toHaveLength(0);
    expect(logs.lines().map((l) => l.outcome)).toEqual(["timeout"]);
  });

  it("refuses bodies over the cap before hashing, and takes one of exactly the cap (R2)", async () => {
    // What is proved is how much of the body is read, not how long it took (timings belong to bench/).
    const counting = (chunks: number, counter: { pulled: number }) =>
      new ReadableStream<Uint8Array>({
        pull(controller) {
          counter.pulled++;
          if (counter.pulled > chunks) controller.close();
          else controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
        },
      });
    const declaredRead = { pulled: 0 };
    const declared = await deliver(partnerId, counting(160, declaredRead), {
      "x-360dialog-signature": "0".repeat(64),
      "content-length": String(160 * 64 * 1024),
    });
    expect(declared.status).toBe(413);
    // A declared length over the cap is refused on the header: at most what the stream pre-filled is pulled.
    expect(declaredRead.pulled).toBeLessThan(3);

    const streamedRead = { pulled: 0 };
    const streamed = await deliver(partnerId, counting(160, streamedRead), { "x-360dialog-signature": "0".repeat(64) });
    expect(streamed.status).toBe(413);
    expect(streamedRead.pulled).toBeLessThan(10);

    const head = JSON.stringify({ id: "cap", event: "channel_created", data: { id: "ch_cap" }, pad: "" });
    const exact = head.replace('"pad":""', `"pad":"${"p".repeat(CAP - head.length)}"`);
    expect(Buffer.byteLength(exact)).toBe(CAP);
    expect((await deliver(partnerId, exact, signed(exact))).status).toBe(200);
    const over = `${exact} `;
    expect((await deliver(partnerId, over, signed(over))).status).toBe(413);
  });

  it("logs one line per delivery without body, phone number, signature or headers", async () => {
    const body = channelEvent("logline");
    const headers = { ...signed(body), authorization: "Bearer sentinel-auth" };
    await deliver(partnerId, body, headers);
    await deliver(partnerId, body, { "x-360dialog-signature": "0".repeat(64) });
    const lines = logs.lines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, partnerId, event: "channel_running", outcome: "stored", status: 200 });
    expect(typeof lines[0]!.durationMs).toBe("number");
    expect(lines[1]).toMatchObject({ outcome: "invalid_signature", status: 401 });
    const text = logs.text();
    for (const leak of ["4915123456789", headers["x-360dialog-signature"], "sentinel-auth", "ch_logline", "0".repeat(64)]) {
      expect(text).not.toContain(leak);
    }
  });

  it("accepts none of 10,000 forged deliveries and never answers 5xx (R1 figure)", async () => {
    const valid = channelEvent("forge-base");
    const validSignature = signWebhookBody(valid, SECRET);
    const latin1 = fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c));
    const header = fc.oneof(
      fc.constant(undefined),
      fc.string({ unit: latin1, maxLength: 300 }),
      fc.stringMatching(/^[0-9a-fA-F]{64}$/),
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString("base64")),
      fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256=${h}`),
      fc.integer({ min: 0, max: 63 }).map((n) => validSignature.slice(0, n)),
      fc.constant(validSignature.toUpperCase().replace(/^./, "g")),
    );
    const body = fc.oneof(fc.string({ maxLength: 500 }), fc.uint8Array({ maxLength: 500 }), fc.json());
    // The valid signature over bodies one edit away from the signed one.
    const nearMiss = fc.oneof(
      fc.integer({ min: 0, max: valid.length - 1 }).map((i) => valid.slice(0, i) + valid.slice(i + 1)),
      fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
        const bytes = Buffer.from(valid);
        bytes[i] = bytes[i]! ^ x;
        return new Uint8Array(bytes);
      }),
      fc.constantFrom(`${valid} `, ` ${valid}`, `${valid}\n`, JSON.stringify(JSON.parse(valid), null, 1)),
    );
    const delivery = fc.oneof(fc.tuple(header, body), fc.tuple(fc.constant(validSignature), nearMiss));
    const before = (await rowsOf(hubId)).length;
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(delivery, async ([signature, payload]) => {
        const headers: Record<string, string> = signature === undefined ? {} : { "x-360dialog-signature": signature };
        const res = await deliver(partnerId, payload, headers);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        return res.status === 401;
      }),
      { numRuns: 10_000 },
    );
    expect(statuses).toEqual(new Map([[401, 10_000]]));
    expect((await rowsOf(hubId)).length).toBe(before);
    logs.clear();
  });

  it("keeps the inbox and job rows consistent across engines", async () => {
    // Every row that is not ignored has a processing job (a held row released on restore has a second one).
    const counts = await selectRows<{ events: number; queued: number }>(
      ctx.get().db,
      sql`select (select count(*)::int from webhook_events where status <> 'ignored') as events,
                 (select count(distinct payload->>'webhookEventId')::int from jobs where kind = 'webhook.process') as queued`,
    );
    expect(counts[0]!.events).toBe(counts[0]!.queued);
  });
});
