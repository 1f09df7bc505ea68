import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JOBS_CHANNEL } from "@/db/queries/jobs";
import { insertHub } from "@/db/queries/hubs";
import type { NewWebhookEvent } from "@/db/queries/webhook-events";
import { jobs, webhookEvents } from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { signWebhookBody } from "@/lib/hub/webhook-signature";
import { forgetCachedHubs } from "@/lib/hub-config/cache";
import { sealPlatformSecret } from "@/lib/hub-config/secrets";
import { LIVE_CHANNEL } from "@/lib/live/types";
import { freshDatabase, selectRows, unavailableReason, type FreshDatabase } from "@/test/db/databases";
import { bindAppDatabase, captureAppLogs, setTestAppEnv, type CapturedLogs } from "@/test/db/use-as-app-db";
import { ingestWebhook } from "./ingest";
import { closeReceiverPool, receiverSql } from "./receiver-db";
import { deliveryStatement } from "./store";

// The receiver's own pool on PostgreSQL (lib/webhooks/receiver-db.ts): one prepared autocommit statement per delivery, with the
// statement timeout and synchronous_commit set at connect. PostgreSQL only: PGlite keeps the transaction path.

const SECRET = "platform-secret-current-0123456789";
const RECEIVER_APP = "portal webhook receiver";

const eventBody = (id: string) => JSON.stringify({ id, event: "channel_running", data: { id: `ch_${id}`, client_id: `cl_${id}`, status: "running" } });

describe.skipIf(unavailableReason("postgres"))("webhook receiver pool on PostgreSQL", () => {
  let fresh: FreshDatabase;
  let restoreDb: () => void;
  let logs: CapturedLogs;
  let listener: postgres.Sql;
  const notices: { channel: string; payload: string }[] = [];
  let hubId: string;
  let partnerId: string;

  const deliver = (body: string, headers: Record<string, string> = {}) =>
    ingestWebhook({
      partnerId,
      request: new Request(`http://127.0.0.1:3000/api/webhooks/360dialog/${partnerId}`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "x-360dialog-signature": signWebhookBody(body, SECRET), ...headers },
      }),
    });
  const rowsFor = (dedupKey: string) =>
    fresh.handle.db.select().from(webhookEvents).where(sql`${webhookEvents.hubId} = ${hubId} and ${webhookEvents.dedupKey} = ${dedupKey}`);
  const jobsFor = (eventId: string) => fresh.handle.db.select().from(jobs).where(sql`${jobs.payload}->>'webhookEventId' = ${eventId}`);
  const receiverConnections = async () =>
    (
      await selectRows<{ n: number }>(
        fresh.handle.db,
        sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = ${RECEIVER_APP}`,
      )
    )[0]!.n;
  // A NOTIFY arrives after its commit; wait a little for any that would.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  beforeAll(async () => {
    logs = captureAppLogs();
    fresh = await freshDatabase("postgres");
    // As in production: DATABASE_URL names the database the app handle is open on.
    setTestAppEnv({ DATABASE_URL: fresh.url! });
    restoreDb = bindAppDatabase(fresh.handle);
    hubId = randomUUID();
    partnerId = `pa${hubId.slice(0, 8)}`;
    await insertHub({
      db: fresh.handle.db,
      hub: {
        id: hubId,
        name: "Receiver hub",
        partnerId,
        partnerApiBaseUrl: "http://127.0.0.1:9/api/v2",
        ioBaseUrl: "http://127.0.0.1:9/io",
        platformSecretEnc: sealPlatformSecret(hubId, SECRET),
      },
    });
    listener = postgres(fresh.url!, { max: 1, onnotice: () => {} });
    await listener.listen(JOBS_CHANNEL, (payload) => notices.push({ channel: JOBS_CHANNEL, payload }));
    await listener.listen(LIVE_CHANNEL, (payload) => notices.push({ channel: LIVE_CHANNEL, payload }));
  });
  afterEach(() => {
    notices.length = 0;
    logs.clear();
  });
  afterAll(async () => {
    await closeReceiverPool();
    delete process.env.DATABASE_URL;
    resetEnvForTests();
    forgetCachedHubs();
    restoreDb?.();
    logs?.restore();
    await listener?.end({ timeout: 5 });
    await fresh?.dispose();
  });

  it("opens its connections with the receiver's statement timeout and synchronous_commit on", async () => {
    const pool = receiverSql();
    expect(pool).not.toBeNull();
    expect(receiverSql()).toBe(pool); // one pool per process
    const [settings] = await pool!<{ timeout: string; sync: string; app: string }[]>`
      select current_setting('statement_timeout') as timeout, current_setting('synchronous_commit') as sync,
             current_setting('application_name') as app`;
    expect(settings).toEqual({ timeout: "2s", sync: "on", app: RECEIVER_APP });
  });

  it("stores a delivery through its own pool: one row, one job, both notices after the commit", async () => {
    await closeReceiverPool();
    expect(await receiverConnections()).toBe(0);
    const res = await deliver(eventBody("one"), { "user-agent": "360dialog", authorization: "Bearer hidden" });
    expect(res.status).toBe(200);
    expect(await receiverConnections()).toBeGreaterThan(0);
    const [row] = await rowsFor("id:one");
    expect(row).toMatchObject({ event: "channel_running", status: "pending", deliveries: 1, signatureResult: "valid", channelExternalId: "ch_one", clientExternalId: "cl_one" });
    // jsonb object, not a JSON string inside jsonb; the authorization header is not stored.
    expect(row!.headers).toMatchObject({ "content-type": "application/json", "user-agent": "360dialog" });
    expect(row!.headers).not.toHaveProperty("authorization");
    expect(await jobsFor(row!.id)).toHaveLength(1);
    await settle();
    expect(notices.map((n) => (n.channel === LIVE_CHANNEL ? { ...n, payload: JSON.parse(n.payload) as unknown } : n))).toEqual([
      { channel: JOBS_CHANNEL, payload: "webhook.process" },
      { channel: LIVE_CHANNEL, payload: { topic: "webhook", id: row!.id, hubId } },
    ]);
    expect(logs.lines().find((l) => l.msg === "webhook delivery")).toMatchObject({ outcome: "stored", status: 200 });
  });

  it("absorbs the same delivery sent 50 times at once: one row counting 50, one job, one pair of notices (R5)", async () => {
    const body = eventBody("race");
    const responses = await Promise.all(Array.from({ length: 50 }, () => deliver(body)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const rows = await rowsFor("id:race");
    expect(rows.map((r) => r.deliveries)).toEqual([50]);
    expect(await jobsFor(rows[0]!.id)).toHaveLength(1);
    await settle();
    expect(notices.map((n) => n.channel).sort()).toEqual([JOBS_CHANNEL, LIVE_CHANNEL].sort());
    expect(logs.lines().filter((l) => l.outcome === "duplicate")).toHaveLength(49);
  });

  it("stores the same row as the transaction path does for the same delivery", async () => {
    const pool = receiverSql()!;
    const event = (dedupKey: string, status: NewWebhookEvent["status"]): NewWebhookEvent => ({
      hubId,
      dedupKey,
      event: "client_created",
      rawBody: '{"x":"\u00e9"}',
      headers: { "content-type": "application/json", "x-empty": "" },
      signatureResult: "valid_previous",
      status,
      clientExternalId: "cl_same",
      channelExternalId: null,
    });
    for (const status of ["pending", "ignored"] as const) {
      const a = await deliveryStatement.runPrepared(pool, event(`same-a-${status}`, status));
      const b = await deliveryStatement.run(fresh.handle.db, event(`same-b-${status}`, status));
      expect({ ...a, id: "" }).toEqual({ ...b, id: "" });
      expect(a).toMatchObject({ inserted: true, status });
      const [ra] = await fresh.handle.db.select().from(webhookEvents).where(eq(webhookEvents.id, a.id));
      const [rb] = await fresh.handle.db.select().from(webhookEvents).where(eq(webhookEvents.id, b.id));
      const comparable = (r: typeof ra) => ({ ...r!, id: "", dedupKey: "", receivedAt: null });
      expect(comparable(ra)).toEqual(comparable(rb));
      expect((await jobsFor(a.id)).length).toBe((await jobsFor(b.id)).length);
      expect((await jobsFor(a.id)).length).toBe(status === "pending" ? 1 : 0);
    }
  });

  it("commits nothing when the job insert fails: no row, no notice, 503; the retry then stores it (R4)", async () => {
    // The previous test's notices may still be on their way on a busy machine (CI met four of them here): let
    // them arrive, then count only what this delivery sends.
    await settle();
    notices.length = 0;
    await fresh.handle.db.execute(sql.raw(`
      create function refuse_jobs() returns trigger language plpgsql as $$ begin raise exception 'jobs refused'; end $$;
      create trigger refuse_jobs before insert on jobs for each row execute function refuse_jobs();`));
    try {
      const res = await deliver(eventBody("atomic"));
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(await rowsFor("id:atomic")).toEqual([]);
      await settle();
      expect(notices).toEqual([]);
    } finally {
      await fresh.handle.db.execute(sql.raw("drop trigger refuse_jobs on jobs; drop function refuse_jobs();"));
    }
    expect((await deliver(eventBody("atomic"))).status).toBe(200);
    const [row] = await rowsFor("id:atomic");
    expect(row?.deliveries).toBe(1);
    expect(await jobsFor(row!.id)).toHaveLength(1);
  });

  it("answers 503 inside 2.5 s when its statement hangs on a lock: the connection's statement timeout ends it (R4)", async () => {
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
      const res = await deliver(eventBody("locked"));
      const elapsed = performance.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      // The 3 s overall deadline would answer later than this: the statement timeout did.
      expect(elapsed).toBeGreaterThan(1_900);
      expect(elapsed).toBeLessThan(2_500);
      expect(logs.lines().find((l) => l.msg === "webhook: could not store the delivery")).toMatchObject({ err: { code: "57014" } });
    } finally {
      release();
      await transaction;
      await locker.end({ timeout: 5 });
    }
    expect((await deliver(eventBody("locked"))).status).toBe(200);
    expect((await rowsFor("id:locked")).map((r) => r.deliveries)).toEqual([1]);
  });

  it("stops accepting the previous platform secret at its expiry, with the hub row still cached", async () => {
    const rotatedId = randomUUID();
    const rotatedPartner = `pa${rotatedId.slice(0, 8)}`;
    const previous = "platform-secret-previous-9876543210";
    const expiresAt = new Date(Date.now() + 1_500);
    await insertHub({
      db: fresh.handle.db,
      hub: {
        id: rotatedId,
        name: "Rotated hub",
        partnerId: rotatedPartner,
        partnerApiBaseUrl: "http://127.0.0.1:9/api/v2",
        ioBaseUrl: "http://127.0.0.1:9/io",
        platformSecretEnc: sealPlatformSecret(rotatedId, SECRET),
        previousPlatformSecretEnc: sealPlatformSecret(rotatedId, previous, "previous"),
        previousSecretExpiresAt: expiresAt,
      },
    });
    const signedWith = (secret: string, id: string) => {
      const body = eventBody(id);
      return ingestWebhook({
        partnerId: rotatedPartner,
        request: new Request(`http://127.0.0.1:3000/api/webhooks/360dialog/${rotatedPartner}`, {
          method: "POST",
          body,
          headers: { "x-360dialog-signature": signWebhookBody(body, secret) },
        }),
      });
    };
    expect((await signedWith(previous, "rot1")).status).toBe(200);
    expect((await signedWith(SECRET, "rot2")).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 50));
    // Well inside the hub cache's 5 s: the same hub object, so only the expiry check can refuse this.
    expect((await signedWith(previous, "rot3")).status).toBe(401);
    expect((await signedWith(SECRET, "rot4")).status).toBe(200);
    const stored = await fresh.handle.db.select().from(webhookEvents).where(eq(webhookEvents.hubId, rotatedId));
    expect(Object.fromEntries(stored.map((r) => [r.dedupKey, r.signatureResult]))).toEqual({ "id:rot1": "valid_previous", "id:rot2": "valid", "id:rot4": "valid" });
  });

  describe("when only the receiver's database is out of reach", () => {
    let silent: Server;
    const sockets: Socket[] = [];

    beforeAll(async () => {
      // Accepts connections and never says a word: the connect timeout has to end it.
      silent = createServer((socket) => sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    });
    afterAll(async () => {
      await closeReceiverPool();
      setTestAppEnv({ DATABASE_URL: fresh.url! });
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it("answers 503 with Retry-After within 3 s and stores nothing (R4)", async () => {
      const { port } = silent.address() as { port: number };
      setTestAppEnv({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/nothing` });
      const started = performance.now();
      const res = await deliver(eventBody("unreachable"));
      const elapsed = performance.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(elapsed).toBeGreaterThan(1_500);
      expect(elapsed).toBeLessThan(3_000);
      expect(sockets.length).toBeGreaterThan(0); // the receiver's pool, not the app handle, was the one waiting
      expect(await rowsFor("id:unreachable")).toEqual([]);
      expect(logs.text()).not.toContain("ch_unreachable");
    });
  });

  it("leaves no connection behind once closed", async () => {
    expect((await deliver(eventBody("last"))).status).toBe(200);
    expect(await receiverConnections()).toBeGreaterThan(0);
    await closeReceiverPool();
    await expect.poll(receiverConnections, { timeout: 5_000 }).toBe(0);
  });
});
