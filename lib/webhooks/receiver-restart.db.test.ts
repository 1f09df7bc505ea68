import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { insertHub } from "@/db/queries/hubs";
import { migrateDatabase } from "@/db/migrate";
import { resetEnvForTests } from "@/lib/env";
import { forgetCachedHubs } from "@/lib/hub-config/cache";
import { sealPlatformSecret } from "@/lib/hub-config/secrets";
import { selectRows } from "@/test/db/databases";
import { bindAppDatabase, captureAppLogs, setTestAppEnv, type CapturedLogs } from "@/test/db/use-as-app-db";
import { inParallel, ownClusterUnavailableReason, pause, signedHeaders, startOwnCluster, type OwnCluster } from "@/test/proofs/support";
import { ingestWebhook } from "./ingest";
import { closeReceiverPool } from "./receiver-db";

// test/proofs/db-restart.db.test.ts for the receiver's own pool (DATABASE_URL set, as in production): its prepared
// statements die with their connections in the crash, and the deliveries after the restart must still be stored
// once each, with nothing acknowledged lost and every refusal a 503 + Retry-After inside 5 s (docs/security.md R4).

const SECRET = "receiver-restart-platform-secret-01";
const DELIVERIES = 300;
const CONCURRENCY = 16;
const CRASH_AFTER = 100;
const OUTAGE_MS = 2_000;
const PACE_MS = 200;
const GIVE_UP_MS = 60_000;

// postgres.js 3.4.9 throws from a setImmediate when a socket dies under a queued write (porsager/postgres#1154).
const isPostgresJsNextWrite = (error: unknown) =>
  error instanceof TypeError && /nextWrite/.test(error.stack ?? "") && /postgres[\\/]src[\\/]connection\.js/.test(error.stack ?? "");

type Answer = { delivery: number; status: number; retryAfter: string | null; startedAt: number; endedAt: number };

const skip = ownClusterUnavailableReason();

describe.skipIf(skip)(`receiver pool across a PostgreSQL crash [postgres, own cluster]${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let cluster: OwnCluster | undefined;
  let handle: DatabaseHandle | undefined;
  let restoreDb: (() => void) | undefined;
  let logs: CapturedLogs | undefined;
  let partnerId: string;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => void uncaught.push(error);

  beforeAll(async () => {
    process.on("uncaughtException", onUncaught);
    logs = captureAppLogs();
    cluster = await startOwnCluster();
    setTestAppEnv({ DATABASE_URL: cluster.url });
    handle = await openDatabase({ driver: "postgres", url: cluster.url, connectTimeoutSeconds: 2 });
    await migrateDatabase(handle, cluster.url);
    const hubId = randomUUID();
    partnerId = `pa${hubId.slice(0, 8)}`;
    await insertHub({
      db: handle.db,
      hub: {
        id: hubId,
        name: "Crash hub",
        partnerId,
        partnerApiBaseUrl: "http://127.0.0.1:9/api/v2",
        ioBaseUrl: "http://127.0.0.1:9/io",
        platformSecretEnc: sealPlatformSecret(hubId, SECRET),
      },
    });
    restoreDb = bindAppDatabase(handle);
  });

  afterAll(async () => {
    await closeReceiverPool().catch(() => undefined);
    delete process.env.DATABASE_URL;
    resetEnvForTests();
    forgetCachedHubs();
    restoreDb?.();
    logs?.restore();
    await handle?.close().catch(() => undefined);
    await cluster?.dispose();
    process.off("uncaughtException", onUncaught);
  });

  it("loses none of 300 deliveries across a hard stop and restart; every non-200 is a 503 with Retry-After, inside 5 s", async () => {
    const db = handle!.db;
    const answers: Answer[] = [];
    const outage = { stoppedAt: 0, startCalledAt: 0, startedAt: 0 };
    let acknowledged = 0;
    let crashing: Promise<void> | null = null;
    let receiverUsedAfterRestart = 0;

    const crashAndRestart = async () => {
      await cluster!.crash();
      outage.stoppedAt = performance.now();
      await pause(OUTAGE_MS);
      outage.startCalledAt = performance.now();
      await cluster!.start();
      outage.startedAt = performance.now();
    };

    const send = async (delivery: number) => {
      const body = JSON.stringify({ id: `restart-${delivery}`, event: "channel_running", data: { id: `ch_restart_${delivery}`, status: "running" } });
      const giveUpAt = performance.now() + GIVE_UP_MS;
      for (;;) {
        const request = new Request(`http://127.0.0.1:3000/api/webhooks/360dialog/${partnerId}`, { method: "POST", body, headers: signedHeaders(body, SECRET) });
        const startedAt = performance.now();
        const res = await ingestWebhook({ partnerId, request });
        await res.arrayBuffer();
        const endedAt = performance.now();
        answers.push({ delivery, status: res.status, retryAfter: res.headers.get("retry-after"), startedAt, endedAt });
        if (res.status === 200) break;
        if (endedAt > giveUpAt) throw new Error(`delivery ${delivery} still refused after ${GIVE_UP_MS / 1000} s (last ${res.status})`);
        await pause(100 + Math.random() * 100);
      }
      if (++acknowledged === CRASH_AFTER) crashing = crashAndRestart();
      if (outage.startedAt > 0 && receiverUsedAfterRestart === 0) {
        const [row] = await selectRows<{ n: number }>(
          db,
          sql`select count(*)::int as n from pg_stat_activity where application_name = 'portal webhook receiver'`,
        ).catch(() => [{ n: 0 }]);
        receiverUsedAfterRestart = row?.n ?? 0;
      }
      await pause(PACE_MS);
    };

    await inParallel(
      Array.from({ length: DELIVERIES }, (_, i) => i),
      CONCURRENCY,
      send,
    );
    await crashing;

    const ok = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    const inOutage = answers.filter((a) => a.endedAt > outage.stoppedAt && a.endedAt < outage.startCalledAt);
    const afterRestart = new Set(ok.filter((a) => a.startedAt >= outage.startedAt).map((a) => a.delivery));
    const maxLatency = Math.max(...answers.map((a) => a.endedAt - a.startedAt));
    const [inbox] = await selectRows<{ rows: number; keys: number }>(
      db,
      sql`select count(*)::int as rows, count(distinct dedup_key)::int as keys from webhook_events where dedup_key like 'id:restart-%'`,
    );
    const [queue] = await selectRows<{ jobs: number; matched: number }>(
      db,
      sql`select count(*)::int as jobs, count(e.id)::int as matched
          from jobs j left join webhook_events e on j.unique_key = 'webhook:' || e.id::text and e.dedup_key like 'id:restart-%'
          where j.kind = 'webhook.process'`,
    );
    console.info(
      `[R4 receiver pool] ${DELIVERIES} deliveries, ${answers.length} requests, ${refused.length} × 503 (${inOutage.length} during the outage), ` +
        `after the restart ${afterRestart.size}; max latency ${maxLatency.toFixed(0)} ms; ` +
        `${uncaught.filter(isPostgresJsNextWrite).length} uncaught postgres.js nextWrite TypeErrors; inbox rows ${inbox?.rows}, jobs ${queue?.jobs}`,
    );

    expect(inOutage.length).toBeGreaterThan(0);
    expect(afterRestart.size).toBeGreaterThan(DELIVERIES / 4);
    expect(receiverUsedAfterRestart).toBeGreaterThan(0); // the receiver's own pool reconnected and served
    expect(new Set(ok.map((a) => a.delivery)).size).toBe(DELIVERIES);
    expect(refused.map((a) => `${a.status} ${a.retryAfter}`).filter((s) => s !== "503 5")).toEqual([]);
    expect(maxLatency).toBeLessThan(5_000);
    expect(inbox).toEqual({ rows: DELIVERIES, keys: DELIVERIES });
    expect(queue).toEqual({ jobs: DELIVERIES, matched: DELIVERIES });
    expect(uncaught.filter((e) => !isPostgresJsNextWrite(e))).toEqual([]);
  }, 120_000);
});
