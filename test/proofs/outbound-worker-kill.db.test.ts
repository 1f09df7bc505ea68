import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { outboundDeliveries, type Hub, type User } from "@/db/schema";
import { emitEvent } from "@/lib/events/emit";
import { createEndpoint } from "@/lib/outbound/endpoints";
import { freshDatabase, unavailableReason, type FreshDatabase } from "@/test/db/databases";
import { setTestAppEnv } from "@/test/db/use-as-app-db";
import { createHub, createUser, waitFor } from "@/test/support/channels";
import { startWebhookReceiver, type TestWebhookReceiver } from "@/test/support/webhook-receiver";
import { spawnScript, type ChildScript } from "./support";

// Issue 13 §5 "kill the worker mid-delivery and restart: every event delivered, none twice with different ids",
// with a real crash: a worker process (test/proofs/kill-worker.ts: the real runner and job handlers, 3 s lease)
// is SIGKILLed while its first outbound request is at the receiver, unanswered. A second worker takes the work
// over; the receiver verifies everything with the standardwebhooks library (docs/outbound-webhooks.md §2).

const skip = unavailableReason("postgres");

describe.skipIf(skip)(`outbound worker killed mid-delivery [postgres]${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let fresh: FreshDatabase | undefined;
  let receiver: TestWebhookReceiver | undefined;
  let hub: Hub;
  let admin: User;
  const workers: ChildScript[] = [];

  beforeAll(async () => {
    setTestAppEnv({ LOG_LEVEL: "silent", OUTBOUND_ALLOW_PRIVATE: "1" }); // the workers get the same APP_ENCRYPTION_KEY
    fresh = await freshDatabase("postgres");
    hub = await createHub(fresh.handle.db);
    admin = await createUser(fresh.handle.db, "admin");
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await receiver?.close();
    await fresh?.dispose();
  });

  const startWorker = () => {
    const worker = spawnScript("test/proofs/kill-worker.ts", { DATABASE_URL: fresh!.url!, LOG_LEVEL: "info", OUTBOUND_ALLOW_PRIVATE: "1", OUTBOUND_TIMEOUT_MS: "30000" });
    workers.push(worker);
    return worker;
  };

  it("every event arrives, verified, in order per subject; only the request in flight at the kill arrives again, with the same id", async () => {
    const db = fresh!.handle.db;
    const { endpoint, secret } = await createEndpoint({ id: admin.id, email: admin.email }, { url: receiver!.url }, { db });
    const channel = randomUUID();
    const client = randomUUID();
    const emitted: { id: string; subject: string }[] = [];
    await db.transaction(async (tx) => {
      for (const type of ["channel.created", "channel.status_changed", "channel.running"] as const) {
        emitted.push({ id: (await emitEvent(tx, { type, hubId: hub.id, subjectId: channel, data: {} }))!.id, subject: channel });
      }
      emitted.push({ id: (await emitEvent(tx, { type: "client.created", hubId: hub.id, subjectId: client }))!.id, subject: client });
    });

    // 1. The receiver holds the first request open; the worker is killed while it waits for the answer.
    receiver!.hang = true;
    const first = startWorker();
    await first.ready;
    await waitFor(() => receiver!.received.length > 0, "the first request at the receiver", 30_000);
    first.child.kill("SIGKILL");
    const death = await first.exited;
    expect(death, first.stderr().slice(-2_000)).toEqual({ code: null, signal: "SIGKILL" });
    const inFlight = String(receiver!.received[0]!.headers["webhook-id"]);
    // The dead worker's hold on that delivery (request timeout + 20 s) is let run out now instead of waited for;
    // its job's 3 s lease runs out by itself.
    await db.execute(sql`update outbound_deliveries set locked_until = now() - interval '1 second' where endpoint_id = ${endpoint.id} and locked_until is not null`);
    receiver!.hang = false;

    // 2. A new worker delivers everything.
    const second = startWorker();
    await second.ready;
    await waitFor(
      async () => (await db.select().from(outboundDeliveries).where(eq(outboundDeliveries.endpointId, endpoint.id))).every((d) => d.status === "delivered"),
      "every delivery delivered by the second worker",
      45_000,
    );

    const seen = receiver!.received.map((r) => ({ id: String(r.headers["webhook-id"]), body: new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { id: string } }));
    console.info(`[outbound kill] ${emitted.length} events, ${seen.length} requests at the receiver (the one in flight at the kill: ${inFlight})`);
    expect(seen.every((s) => s.id === s.body.id)).toBe(true);
    expect(new Set(seen.map((s) => s.id))).toEqual(new Set(emitted.map((e) => e.id)));
    // The only repeat is the request the killed worker had out, and it carries the same webhook-id.
    const repeats = seen.map((s) => s.id).filter((id, i, all) => all.indexOf(id) !== i);
    expect(repeats.filter((id) => id !== inFlight)).toEqual([]);
    expect(repeats.length).toBeLessThanOrEqual(1);
    // In order per subject: the channel's three events first arrived in the order they happened.
    const firstArrival = (id: string) => seen.findIndex((s) => s.id === id);
    const ofChannel = emitted.filter((e) => e.subject === channel).map((e) => firstArrival(e.id));
    expect(ofChannel).toEqual([...ofChannel].sort((a, b) => a - b));
  }, 120_000);
});
