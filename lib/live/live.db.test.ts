import net from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { forEachDatabase, freshDatabase, selectRows, unavailableReason, type FreshDatabase } from "@/test/db/databases";
import { publishChange } from "./publish";
import { liveListening, onLiveChange, startLiveSubscription, stopLiveSubscription, type LiveSignal, type LiveSource } from "./subscribe";
import { LIVE_CHANNEL, type LiveChange } from "./types";

const HUB = "3f1c2a4e-5b6d-4c7e-8f90-a1b2c3d4e5f6";

/** Everything the process-wide subscription hands its listeners, from the moment this is called. */
function record() {
  const seen: LiveSignal[] = [];
  const off = onLiveChange((s) => seen.push(s));
  const waitFor = async (predicate: (seen: LiveSignal[]) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(seen)) {
      if (Date.now() > deadline) throw new Error(`timed out; seen: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const changes = () => seen.filter((s): s is LiveChange => s.topic !== "resync");
  return { seen, changes, waitFor, off };
}

function sourceOf(handle: DatabaseHandle, url: string | null): LiveSource {
  if (url) return { driver: "postgres", url };
  if (!handle.listen) throw new Error("PGlite handle without listen");
  return { driver: "pglite", listen: handle.listen };
}

let marker = 0;
/** A committed change after the ones under test: once it arrives, anything earlier that would come has come. */
async function publishMarker(handle: DatabaseHandle): Promise<LiveChange> {
  const change: LiveChange = { topic: "job", id: `marker-${++marker}` };
  await publishChange(handle.db, change);
  return change;
}

forEachDatabase("live updates through LISTEN/NOTIFY", (ctx) => {
  beforeAll(async () => {
    await startLiveSubscription(sourceOf(ctx.get(), ctx.url()));
  });
  afterAll(async () => {
    await stopLiveSubscription();
  });

  it("says it is listening only when a commit made right after is heard", async () => {
    const { db } = ctx.get();
    const rec = record();
    await liveListening();
    const change: LiveChange = { topic: "session", id: "right-after-listening" };
    await publishChange(db, change);
    await rec.waitFor((s) => s.length === 1);
    expect(rec.seen).toEqual([change]);
    rec.off();
  });

  it("delivers a change published inside a transaction once it commits", async () => {
    const { db } = ctx.get();
    const rec = record();
    const change: LiveChange = { topic: "channel", id: "c-1", hubId: HUB, clientId: "0b5e2f7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b" };
    await db.transaction(async (tx) => {
      await publishChange(tx, change);
      // Still inside the transaction: nobody has heard of it yet.
      await new Promise((r) => setTimeout(r, 100));
      expect(rec.seen).toEqual([]);
    });
    await rec.waitFor((s) => s.length === 1);
    expect(rec.seen).toEqual([change]);
    rec.off();
  });

  it("drops a change whose transaction rolls back", async () => {
    const { db } = ctx.get();
    const rec = record();
    await expect(
      db.transaction(async (tx) => {
        await publishChange(tx, { topic: "channel", id: "rolled-back" });
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    const after = await publishMarker(ctx.get());
    await rec.waitFor((s) => s.length >= 1);
    expect(rec.seen).toEqual([after]);
    rec.off();
  });

  it("keeps the order of several changes in one transaction, and of transactions", async () => {
    const { db } = ctx.get();
    const rec = record();
    const first = Array.from({ length: 5 }, (_, i): LiveChange => ({ topic: "template", id: `t-${i}`, hubId: HUB }));
    const second = Array.from({ length: 5 }, (_, i): LiveChange => ({ topic: "webhook", id: `w-${i}` }));
    for (const batch of [first, second]) {
      await db.transaction(async (tx) => {
        for (const change of batch) await publishChange(tx, change);
      });
    }
    await rec.waitFor((s) => s.length === 10);
    expect(rec.seen).toEqual([...first, ...second]);
    rec.off();
  });

  it("ignores malformed notifications on the channel", async () => {
    const { db } = ctx.get();
    const rec = record();
    for (const junk of ["not json", '{"topic":"channel"}', '{"topic":"nope","id":"1"}', '{"topic":"channel","id":"1","email":"a@example.com"}']) {
      await db.execute(sql`select pg_notify(${LIVE_CHANNEL}, ${junk})`);
    }
    const after = await publishMarker(ctx.get());
    await rec.waitFor((s) => s.length >= 1);
    expect(rec.seen).toEqual([after]);
    rec.off();
  });

  it("refuses a malformed change, which rolls its transaction back", async () => {
    const { db } = ctx.get();
    const rec = record();
    await expect(
      db.transaction(async (tx) => {
        await publishChange(tx, { topic: "channel", id: "ok" });
        await publishChange(tx, { topic: "channel", id: "jane@example.com" });
      }),
    ).rejects.toThrow();
    const after = await publishMarker(ctx.get());
    await rec.waitFor((s) => s.length >= 1);
    expect(rec.seen).toEqual([after]);
    rec.off();
  });
});

/** A loopback TCP proxy to the test PostgreSQL that can refuse connections and cut the ones it carries. */
async function tcpProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(p));
    });
  });
  const url = new URL(targetUrl);
  url.port = String(port);
  url.hostname = "127.0.0.1";
  return {
    url: url.toString(),
    start: () =>
      new Promise<void>((resolve) => {
        server = net.createServer((client) => {
          const upstream = net.connect(Number(target.port), target.hostname);
          for (const s of [client, upstream]) {
            sockets.add(s);
            s.on("error", () => {});
            s.on("close", () => sockets.delete(s));
          }
          client.pipe(upstream).pipe(client);
          client.on("close", () => upstream.destroy());
          upstream.on("close", () => client.destroy());
        });
        server.listen(port, "127.0.0.1", resolve);
      }),
    cut: () => sockets.forEach((s) => s.destroy()),
    stop: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        if (server) server.close(() => resolve());
        else resolve();
      }),
  };
}

describe.skipIf(unavailableReason("postgres"))("live updates across instances [postgres]", () => {
  let database: FreshDatabase;
  let instanceA: DatabaseHandle;
  beforeAll(async () => {
    database = await freshDatabase("postgres");
    instanceA = await openDatabase({ driver: "postgres", url: database.url! });
  });
  afterEach(async () => {
    await stopLiveSubscription();
  });
  afterAll(async () => {
    await instanceA?.close();
    await database?.dispose();
  });

  async function listenerPid(): Promise<number | null> {
    const rows = await selectRows<{ pid: number }>(
      database.handle.db,
      sql`select pid from pg_stat_activity where datname = current_database() and query ilike 'listen %' and pid <> pg_backend_pid()`,
    );
    return rows[0]?.pid ?? null;
  }

  it("hears a change committed by another instance's pool", async () => {
    await startLiveSubscription({ driver: "postgres", url: database.url! });
    const rec = record();
    const change: LiveChange = { topic: "client", id: "k-1", hubId: HUB };
    await instanceA.db.transaction((tx) => publishChange(tx, change));
    await rec.waitFor((s) => s.length === 1);
    expect(rec.seen).toEqual([change]);
    rec.off();
  });

  it("listens again after its backend is terminated, and tells listeners to resync", async () => {
    await startLiveSubscription({ driver: "postgres", url: database.url! });
    const rec = record();
    const before = await listenerPid();
    expect(before).not.toBeNull();
    await database.handle.db.execute(sql`select pg_terminate_backend(${before})`);
    await rec.waitFor((s) => s.some((x) => x.topic === "resync"), 20_000);
    const after = await listenerPid();
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    const change: LiveChange = { topic: "channel", id: "after-reconnect" };
    await publishChange(instanceA.db, change);
    await rec.waitFor((s) => s.some((x) => x.topic === "channel"));
    expect(rec.seen).toEqual([{ topic: "resync" }, change]);
    rec.off();
  });

  it("recovers from a dropped connection and from a database unreachable at start", async () => {
    const proxy = await tcpProxy(database.url!);
    try {
      // Nothing listens on the proxy port yet: the first LISTEN fails and postgres.js keeps retrying.
      const starting = startLiveSubscription({ driver: "postgres", url: proxy.url });
      const rec = record();
      // A live stream waits for this before it says ready (sse.ts): not while nothing listens, but once it does.
      let listening = false;
      void liveListening().then(() => (listening = true));
      await expect(starting).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 200));
      expect(listening).toBe(false);
      await proxy.start();
      await rec.waitFor((s) => s.length === 1, 30_000);
      expect(rec.seen).toEqual([{ topic: "resync" }]);
      expect(listening).toBe(true);
      await publishChange(instanceA.db, { topic: "session", id: "s-1" });
      await rec.waitFor((s) => s.length === 2);

      proxy.cut();
      await rec.waitFor((s) => s.length === 3, 30_000);
      await publishChange(instanceA.db, { topic: "session", id: "s-2" });
      await rec.waitFor((s) => s.length === 4);
      expect(rec.seen).toEqual([{ topic: "resync" }, { topic: "session", id: "s-1" }, { topic: "resync" }, { topic: "session", id: "s-2" }]);
      rec.off();
    } finally {
      await stopLiveSubscription();
      await proxy.stop();
    }
  });
});
