import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/360dialog/[partnerId]/route";
import { POST as WABA_POST } from "@/app/api/webhooks/waba/[hubId]/[token]/route";
import { sealWabaWebhookSecret, wabaPathToken } from "@/lib/hub-config/secrets";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { insertHub } from "@/db/queries/hubs";
import { jobs, webhookEvents } from "@/db/schema";
import { signWebhookBody } from "@/lib/hub/webhook-signature";
import { sealPlatformSecret } from "@/lib/hub-config/secrets";
import { freshDatabase, unavailableReason, type FreshDatabase } from "@/test/db/databases";
import { captureAppLogs, setTestAppEnv, bindAppDatabase, type CapturedLogs } from "@/test/db/use-as-app-db";

// Races and outages need real connections: PGlite has exactly one.

const SECRET = "platform-secret-current-0123456789";

function deliver(partnerId: string, body: string) {
  const request = new Request(`http://127.0.0.1:3000/api/webhooks/360dialog/${partnerId}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-360dialog-signature": signWebhookBody(body, SECRET) },
  });
  return POST(request, { params: Promise.resolve({ partnerId }) });
}

const WABA_SECRET = "waba-secret-current-0123456789";

/** A delivery to the hub's WABA webhook with the secret in the URL (docs/waba-webhook.md §2.1), through the Next route. */
function deliverWaba(hubId: string, body: string) {
  const token = wabaPathToken(WABA_SECRET);
  const request = new Request(`http://127.0.0.1:3000/api/webhooks/waba/${hubId}/${token}`, { method: "POST", body, headers: { "content-type": "application/json" } });
  return WABA_POST(request, { params: Promise.resolve({ hubId, token }) });
}

const metaBody = (id: string) =>
  JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "102290129340398", time: 1, changes: [{ field: "account_alerts", value: { entity_id: id } }] }] });

const event = (id: string) => JSON.stringify({ id, event: "channel_running", data: { id: `ch_${id}`, status: "running" } });

describe.skipIf(unavailableReason("postgres"))("webhook receiver on PostgreSQL", () => {
  let fresh: FreshDatabase;
  let restoreDb: () => void;
  let logs: CapturedLogs;
  let hubId: string;
  let partnerId: string;

  beforeAll(async () => {
    setTestAppEnv();
    logs = captureAppLogs();
    fresh = await freshDatabase("postgres"); // postgres.js pool of 10, as the portal opens it
    restoreDb = bindAppDatabase(fresh.handle);
    hubId = randomUUID();
    partnerId = `pa${hubId.slice(0, 8)}`;
    await insertHub({
      db: fresh.handle.db,
      hub: {
        id: hubId,
        name: "Race hub",
        partnerId,
        partnerApiBaseUrl: "http://127.0.0.1:9/api/v2",
        ioBaseUrl: "http://127.0.0.1:9/io",
        platformSecretEnc: sealPlatformSecret(hubId, SECRET),
        wabaWebhookSecretEnc: sealWabaWebhookSecret(hubId, WABA_SECRET),
      },
    });
  });
  afterAll(async () => {
    restoreDb?.();
    logs?.restore();
    await fresh?.dispose();
  });

  it("absorbs the same delivery sent 50 times at once: 50 × 200, one row, one job (R5)", async () => {
    const body = event("race");
    const responses = await Promise.all(Array.from({ length: 50 }, () => deliver(partnerId, body)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const rows = await fresh.handle.db.select().from(webhookEvents).where(eq(webhookEvents.dedupKey, "id:race"));
    expect(rows.map((r) => r.deliveries)).toEqual([50]);
    const queued = await fresh.handle.db.select().from(jobs).where(sql`${jobs.payload}->>'webhookEventId' = ${rows[0]!.id}`);
    expect(queued).toHaveLength(1);
    expect(logs.lines().filter((l) => l.outcome === "stored")).toHaveLength(1);
    expect(logs.lines().filter((l) => l.outcome === "duplicate")).toHaveLength(49);
  });

  it("answers 503 with Retry-After inside 2.5 s when a statement hangs on a lock, and 200 once it is free (R4)", async () => {
    const locker = postgres(fresh.url!, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const transaction = locker.begin(async (tx) => {
      await tx`lock table webhook_events in access exclusive mode`;
      locked();
      await held;
    });
    try {
      await lockTaken;
      const started = performance.now();
      const res = await deliver(partnerId, event("locked"));
      const elapsed = performance.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ status: 503, code: "unavailable", detail: "temporarily unavailable" });
      expect(elapsed).toBeGreaterThan(1_900);
      expect(elapsed).toBeLessThan(2_500);
    } finally {
      release();
      await transaction;
      await locker.end({ timeout: 5 });
    }
    expect((await deliver(partnerId, event("locked"))).status).toBe(200);
    const rows = await fresh.handle.db.select().from(webhookEvents).where(eq(webhookEvents.dedupKey, "id:locked"));
    expect(rows.map((r) => r.deliveries)).toEqual([1]);
  });

  it("stores a WABA delivery with the partner receiver's one statement: blocked on its job, it is answered 503 and nothing is kept; free, 200 with row and job (R3, R4)", async () => {
    const body = metaBody("atomic");
    const locker = postgres(fresh.url!, { max: 1, onnotice: () => {} });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // The jobs table, not the inbox: the inbox row is written first in the statement, so only one statement (or
    // one transaction) can leave no row behind when its job cannot be written.
    const transaction = locker.begin(async (tx) => {
      await tx`lock table jobs in access exclusive mode`;
      locked();
      await held;
    });
    try {
      await lockTaken;
      const res = await deliverWaba(hubId, body);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
    } finally {
      release();
      await transaction;
      await locker.end({ timeout: 5 });
    }
    const rowsOf = () => fresh.handle.db.select().from(webhookEvents).where(eq(webhookEvents.rawBody, body));
    expect(await rowsOf()).toHaveLength(0);

    const ok = await deliverWaba(hubId, body);
    expect(ok.status).toBe(200);
    // Answered after the commit: another connection sees the row and its job at once.
    const [row] = await rowsOf();
    expect(row).toMatchObject({ source: "waba", signatureResult: "hub_secret", status: "pending", deliveries: 1 });
    const queued = await fresh.handle.db.select().from(jobs).where(sql`${jobs.payload}->>'webhookEventId' = ${row!.id}`);
    expect(queued.map((j) => j.kind)).toEqual(["webhook.process"]);
  });

  describe("with the database out of reach", () => {
    let silent: Server;
    const sockets: Socket[] = [];
    let restoreBroken: (() => void) | undefined;
    let broken: DatabaseHandle | undefined;

    beforeAll(async () => {
      // Accepts connections and never says a word: the connect timeout has to end it.
      silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    });
    afterAll(async () => {
      restoreBroken?.();
      await broken?.close().catch(() => {});
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    async function pointAppAt(url: string) {
      restoreBroken?.();
      await broken?.close().catch(() => {});
      broken = await openDatabase({ driver: "postgres", url, connectTimeoutSeconds: 2 });
      restoreBroken = bindAppDatabase(broken);
    }

    it("answers 503 with Retry-After when the port is closed (R4)", async () => {
      const closedPort = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, "127.0.0.1", () => {
          const { port } = probe.address() as { port: number };
          probe.close(() => resolve(port));
        });
      });
      await pointAppAt(`postgres://postgres@127.0.0.1:${closedPort}/nothing`);
      const started = performance.now();
      const res = await deliver(partnerId, event("down1"));
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(performance.now() - started).toBeLessThan(3_000);
    });

    it("answers 503 within 3 s when the server accepts but never answers (R4)", async () => {
      const { port } = silent.address() as { port: number };
      await pointAppAt(`postgres://postgres@127.0.0.1:${port}/nothing`);
      const started = performance.now();
      const res = await deliver(partnerId, event("down2"));
      const elapsed = performance.now() - started;
      expect(res.status).toBe(503);
      expect(elapsed).toBeGreaterThan(1_500);
      expect(elapsed).toBeLessThan(3_000);
      const failure = logs.lines().find((l) => l.outcome === "unavailable");
      expect(failure).toMatchObject({ partnerId, status: 503 });
      expect(logs.text()).not.toContain("ch_down2");
    });
  });
});
