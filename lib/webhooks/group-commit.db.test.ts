import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { insertHub } from "@/db/queries/hubs";
import { JOBS_CHANNEL } from "@/db/queries/jobs";
import { arrayLiteral, type NewWebhookEvent, type StoredDelivery } from "@/db/queries/webhook-events";
import { resetEnvForTests } from "@/lib/env";
import { forgetCachedHubs } from "@/lib/hub-config/cache";
import { LIVE_CHANNEL } from "@/lib/live/types";
import { drivers, freshDatabase, selectRows, unavailableReason, type FreshDatabase } from "@/test/db/databases";
import { bindAppDatabase, captureAppLogs, setTestAppEnv, type CapturedLogs } from "@/test/db/use-as-app-db";
import type { GroupCommitStats } from "./group-commit";
import { closeReceiverPool } from "./receiver-db";
import { deliveryGroupStats, storeDelivery } from "./store";

// Group commit (lib/webhooks/group-commit.ts) through the receiver's real statements: on PGlite the transaction
// path, on PostgreSQL the receiver's own pool (DATABASE_URL set, as in production). Deliveries submitted in one
// tick while a statement runs share the next one, so these tests know a batch was formed (the counters say so).

const event = (hubId: string, key: string, extra: Partial<NewWebhookEvent> = {}): NewWebhookEvent => ({
  hubId,
  dedupKey: `id:${key}`,
  event: "channel_running",
  rawBody: JSON.stringify({ id: key, event: "channel_running", note: 'quotes " and \\ backslashes, {braces}, commas' }),
  headers: { "content-type": "application/json", "user-agent": "360dialog" },
  signatureResult: "valid",
  status: "pending",
  clientExternalId: `cl_${key}`,
  channelExternalId: null,
  ...extra,
});

const delta = (after: GroupCommitStats, before: GroupCommitStats) => ({
  statements: after.statements - before.statements,
  batched: after.batched - before.batched,
  items: after.items - before.items,
  retriedAlone: after.retriedAlone - before.retriedAlone,
});

type Settled = { key: string; ok: true; stored: StoredDelivery } | { key: string; ok: false; error: string };

/** An error's message and its causes' (drizzle wraps the driver's error on PGlite). */
function messages(error: unknown): string {
  const all: string[] = [];
  for (let e = error; e instanceof Error && all.length < 5; e = e.cause) all.push(e.message);
  return all.join(" / ") || String(error);
}

/** Submits every event in the same tick; each result as it settled. */
function submitAll(events: NewWebhookEvent[]): Promise<Settled[]> {
  return Promise.all(
    events.map((e) =>
      storeDelivery(e).then(
        (stored): Settled => ({ key: e.dedupKey, ok: true, stored }),
        (error: unknown): Settled => ({ key: e.dedupKey, ok: false, error: messages(error) }),
      ),
    ),
  );
}

for (const driver of drivers) {
  const skip = unavailableReason(driver);
  describe.skipIf(skip)(`webhook receiver group commit [${driver}]`, () => {
    let fresh: FreshDatabase;
    let restoreDb: () => void;
    let logs: CapturedLogs;
    let hubId: string;

    const rowsOf = (keys: string[]) =>
      selectRows<{ id: string; dedup_key: string; deliveries: number; status: string; raw_body: string; client_external_id: string | null; jobs: number }>(
        fresh.handle.db,
        sql`select e.id::text as id, e.dedup_key, e.deliveries, e.status, e.raw_body, e.client_external_id,
              (select count(*)::int from jobs j where j.payload->>'webhookEventId' = e.id::text) as jobs
            from webhook_events e where e.hub_id = ${hubId}::uuid and e.dedup_key in ${sql.raw(`(${keys.map((k) => `'id:${k}'`).join(",")})`)}
            order by e.dedup_key`,
      );

    // One statement per call: PGlite refuses several in one.
    const run = (statement: string) => fresh.handle.db.execute(sql.raw(statement));

    beforeAll(async () => {
      logs = captureAppLogs();
      fresh = await freshDatabase(driver);
      // On PostgreSQL DATABASE_URL names the database, so the receiver's own pool (and its group) is the one used.
      setTestAppEnv(fresh.url ? { DATABASE_URL: fresh.url } : {});
      restoreDb = bindAppDatabase(fresh.handle);
      hubId = randomUUID();
      await insertHub({
        db: fresh.handle.db,
        hub: { id: hubId, name: "Group hub", partnerId: `pa${hubId.slice(0, 8)}`, partnerApiBaseUrl: "http://127.0.0.1:9/api/v2", ioBaseUrl: "http://127.0.0.1:9/io" },
      });
    });
    afterEach(() => logs.clear());
    afterAll(async () => {
      await closeReceiverPool();
      delete process.env.DATABASE_URL;
      resetEnvForTests();
      forgetCachedHubs();
      restoreDb?.();
      logs?.restore();
      await fresh?.dispose();
    });

    it("passes any text through an array parameter unchanged", async () => {
      const values = ["plain", "", "a,b", "{x}", 'say "hi"', "back\\slash\\", "tab\tand\nnewline\r", "NULL", null, "ünïcödé 🎉", "\u0001\u001f", '{"a":"\\"x\\""}'];
      const rows = await selectRows<{ v: string | null; n: number }>(
        fresh.handle.db,
        sql`select v, n::int as n from unnest(${arrayLiteral(values)}::text[]) with ordinality as t(v, n) order by n`,
      );
      expect(rows.map((r) => r.v)).toEqual(values);
    });

    it("stores deliveries that arrive together in shared statements: each exactly once, with its job, the repeats counted", async () => {
      const keys = Array.from({ length: 30 }, (_, i) => `together-${i}`);
      const events = [
        ...keys.map((k, i) => event(hubId, k, i % 10 === 9 ? { status: "ignored" } : {})),
        // The same deliveries again in the same tick: never two of one key in a statement (PostgreSQL refuses).
        event(hubId, keys[3]!),
        event(hubId, keys[3]!),
        event(hubId, keys[17]!),
      ];
      const before = await deliveryGroupStats();
      const settled = await submitAll(events);
      const stats = delta(await deliveryGroupStats(), before);

      expect(settled.every((s) => s.ok)).toBe(true);
      expect(stats.items).toBe(33);
      expect(stats.batched).toBeGreaterThanOrEqual(1);
      expect(stats.statements).toBeLessThan(33);
      expect(stats.retriedAlone).toBe(0);

      const rows = await rowsOf(keys);
      expect(rows).toHaveLength(30);
      for (const row of rows) {
        const key = row.dedup_key.slice(3);
        const index = keys.indexOf(key);
        expect(row.deliveries).toBe(key === keys[3] ? 3 : key === keys[17] ? 2 : 1);
        expect(row.status).toBe(index % 10 === 9 ? "ignored" : "pending");
        // One job per stored pending row, none for an ignored one.
        expect(row.jobs).toBe(index % 10 === 9 ? 0 : 1);
        expect(row.client_external_id).toBe(`cl_${key}`);
        expect(row.raw_body).toBe(events[index]!.rawBody);
      }
      // Each answer names its own row, and exactly one delivery of each key inserted it. Which copy of a repeated key
      // that is depends on which of two statements in flight commits first, as with any two concurrent requests.
      const results = settled.map((s) => (s.ok ? s.stored : null));
      const byKey = new Map(rows.map((r) => [r.dedup_key, r.id]));
      events.forEach((e, i) => expect(results[i]!.id).toBe(byKey.get(e.dedupKey)));
      const insertedPerKey = new Map<string, number>();
      events.forEach((e, i) => insertedPerKey.set(e.dedupKey, (insertedPerKey.get(e.dedupKey) ?? 0) + (results[i]!.inserted ? 1 : 0)));
      expect([...insertedPerKey.values()]).toEqual(Array(30).fill(1));
      expect(results.filter((r) => r!.inserted)).toHaveLength(30);
    });

    it("does not let one failing row lose the others: the batch is retried row by row and only that one fails", async () => {
      await run(`create function refuse_bad_delivery() returns trigger language plpgsql as $$
          begin if new.dedup_key = 'id:bad-row' then raise exception 'this delivery is refused'; end if; return new; end $$`);
      await run("create trigger refuse_bad_delivery before insert on webhook_events for each row execute function refuse_bad_delivery()");
      try {
        const keys = ["first-alone", "good-1", "bad-row", "good-2", "good-3"];
        const before = await deliveryGroupStats();
        const settled = await submitAll(keys.map((k) => event(hubId, k)));
        const stats = delta(await deliveryGroupStats(), before);
        expect(stats.batched).toBeGreaterThanOrEqual(1);
        expect(stats.retriedAlone).toBeGreaterThanOrEqual(2);
        expect(settled.filter((s) => !s.ok).map((s) => s.key)).toEqual(["id:bad-row"]);
        expect(settled.find((s) => !s.ok)).toMatchObject({ error: expect.stringContaining("this delivery is refused") as unknown });
        const rows = await rowsOf(keys);
        expect(rows.map((r) => [r.dedup_key, r.deliveries, r.jobs])).toEqual([
          ["id:first-alone", 1, 1],
          ["id:good-1", 1, 1],
          ["id:good-2", 1, 1],
          ["id:good-3", 1, 1],
        ]);
      } finally {
        await run("drop trigger refuse_bad_delivery on webhook_events");
        await run("drop function refuse_bad_delivery()");
      }
    });

    it("answers a delivery only once its row is committed: a batch whose commit fails acknowledges none of it", async () => {
      // Fails at COMMIT, after the statement itself has run: an answer given when the statement returned, before
      // its commit, would acknowledge rows that were then rolled back.
      await run(`create function refuse_at_commit() returns trigger language plpgsql as $$
          begin if new.dedup_key = 'id:late-bad' then raise exception 'refused at commit'; end if; return null; end $$`);
      await run(`create constraint trigger refuse_at_commit after insert on webhook_events deferrable initially deferred
          for each row execute function refuse_at_commit()`);
      try {
        const keys = ["late-first", "late-1", "late-bad", "late-2"];
        const before = await deliveryGroupStats();
        const settled = await submitAll(keys.map((k) => event(hubId, k)));
        const stats = delta(await deliveryGroupStats(), before);
        expect(stats.batched).toBeGreaterThanOrEqual(1);
        expect(stats.retriedAlone).toBeGreaterThanOrEqual(2);
        expect(settled.filter((s) => !s.ok).map((s) => s.key)).toEqual(["id:late-bad"]);
        // Everything acknowledged is stored with its job; the refused one left nothing behind.
        const rows = await rowsOf(keys);
        expect(rows.map((r) => [r.dedup_key, r.jobs])).toEqual([
          ["id:late-1", 1],
          ["id:late-2", 1],
          ["id:late-first", 1],
        ]);
      } finally {
        await run("drop trigger refuse_at_commit on webhook_events");
        await run("drop function refuse_at_commit()");
      }
    });

    it.skipIf(driver !== "postgres")("holds every answer of a batch until its commit, then sends one job wake-up and one live notice per row", async () => {
      const listener = postgres(fresh.url!, { max: 1, onnotice: () => {} });
      const locker = postgres(fresh.url!, { max: 1, onnotice: () => {} });
      const notices: { channel: string; payload: string }[] = [];
      await listener.listen(JOBS_CHANNEL, (payload) => notices.push({ channel: JOBS_CHANNEL, payload }));
      await listener.listen(LIVE_CHANNEL, (payload) => notices.push({ channel: LIVE_CHANNEL, payload }));
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => (locked = resolve));
      // The jobs table locked: the receiver's statements block on their job insert until it is released.
      const transaction = locker.begin(async (tx) => {
        await tx`lock table jobs in exclusive mode`;
        locked();
        await held;
      });
      try {
        await lockTaken;
        const keys = Array.from({ length: 12 }, (_, i) => `held-${i}`);
        const answered: string[] = [];
        const before = await deliveryGroupStats();
        const all = keys.map((k) => storeDelivery(event(hubId, k)).then(() => void answered.push(k)));
        await new Promise((resolve) => setTimeout(resolve, 400));
        expect(answered).toEqual([]);
        // The first went alone and waits on the lock; the rest did not wait for it past the stall time
        // (RECEIVER_EXTRA_STATEMENT_AFTER_MS) and went together in a second statement, which waits too.
        expect(delta(await deliveryGroupStats(), before)).toEqual({ statements: 2, batched: 1, items: 12, retriedAlone: 0 });
        expect(await rowsOf(keys)).toEqual([]);
        expect(notices).toEqual([]);
        release();
        await transaction;
        await Promise.all(all);
        expect(answered.sort()).toEqual([...keys].sort());
        const stats = delta(await deliveryGroupStats(), before);
        expect(stats.batched).toBeGreaterThanOrEqual(1);
        const rows = await rowsOf(keys);
        expect(rows.map((r) => r.jobs)).toEqual(Array(12).fill(1));
        await expect.poll(() => notices.filter((n) => n.channel === LIVE_CHANNEL).length).toBe(12);
        // One wake-up per statement that queued jobs, not one per row.
        expect(notices.filter((n) => n.channel === JOBS_CHANNEL).length).toBe(stats.statements);
        expect(notices.filter((n) => n.channel === LIVE_CHANNEL).map((n) => (JSON.parse(n.payload) as { id: string }).id).sort()).toEqual(rows.map((r) => r.id).sort());
      } finally {
        release();
        await transaction.catch(() => undefined);
        await locker.end({ timeout: 5 });
        await listener.end({ timeout: 5 });
      }
    });
  });
}
