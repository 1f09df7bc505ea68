import { spawn } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { closedLoop, percentile, summarise, type Delivery } from "../webhook-ingest/load";
import { cleanEnv, ensureProductionBuild, freePort, startNodeScript, stopProcess, tail, waitUntil, type Started } from "../webhook-ingest/processes";
import { startHubCollector, startVerifyingReceiver, type HubDelivery } from "./receiver";

// npm run bench:outbound — the portal's outbound events (docs/outbound-webhooks.md) from a production build with
// its real job runner, on real PostgreSQL, to a local receiver that verifies every delivery with the
// standardwebhooks library. Channels come from the sandbox hub (sandbox/), whose 360dialog webhooks the bench
// posts to the portal's receiver itself, so it can time each channel from its `channel_running` to the
// receiver's `channel.api_key.ready`. Prints figures; asserts nothing. Knobs: see bench/README.md.

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const PORTAL_DIR = path.resolve(process.env.BENCH_PORTAL_DIR ?? ROOT);
const CHANNELS = Number(process.env.BENCH_CHANNELS ?? 120);
const CHANNEL_RATE = Number(process.env.BENCH_CHANNEL_RATE ?? 1);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const WORKER = process.env.BENCH_WORKER === "separate" ? "separate" : "in-process";
const INBOUND_CONCURRENCY = Number(process.env.BENCH_INBOUND_CONCURRENCY ?? 16);
const INBOUND_SECONDS = Number(process.env.BENCH_INBOUND_SECONDS ?? 10);
const JOBS_CONCURRENCY = process.env.BENCH_JOBS_CONCURRENCY; // unset: the portal's default
const RUN = randomBytes(4).toString("hex");
const PARTNER = { id: `bench${RUN}PA`, apiKey: `bench-partner-key-${RUN}`, platformSecret: randomBytes(24).toString("base64url") };
const SECRETS = {
  NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
  APP_ENCRYPTION_KEY: `b1:${randomBytes(32).toString("base64")}`,
};

// The bench process seals the hub's secrets and the endpoint's signing secret with the key the portal opens them
// with; the endpoint is on 127.0.0.1, which the portal allows only with OUTBOUND_ALLOW_PRIVATE (docs/outbound-webhooks.md §2).
Object.assign(process.env, SECRETS, { LOG_LEVEL: "warn", OUTBOUND_ALLOW_PRIVATE: "1" });
process.chdir(ROOT); // db/migrate.ts finds drizzle/ from the working directory

const { openDatabase } = await import("@/db/client");
const { migrateDatabase } = await import("@/db/migrate");
const { insertHub } = await import("@/db/queries/hubs");
const { insertUser } = await import("@/db/queries/users");
const { clients } = await import("@/db/schema");
const { sealHubCredentials, sealPlatformSecret } = await import("@/lib/hub-config/secrets");
const { createEndpoint } = await import("@/lib/outbound/endpoints");
const { emitEvent } = await import("@/lib/events/emit");

type Cleanup = () => Promise<void>;
const cleanups: Cleanup[] = [];
const work = mkdtempSync(path.join(os.tmpdir(), "bench-outbound-"));
cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function database(): Promise<string> {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const { default: setup } = await import("../../test/db/global-setup");
  // The db tests' setup provides several values (a migrated PGlite snapshot and template database too, which the
  // bench does not need: TEST_DB_MIGRATE_EACH=1 skips making them); the bench takes the cluster's admin URL.
  process.env.TEST_DB_MIGRATE_EACH = "1";
  const provided = new Map<string, string | null>();
  const stop = await setup({ provide: (key: string, value: string | null) => void provided.set(key, value) } as unknown as Parameters<typeof setup>[0]);
  const adminUrl = provided.get("postgresAdminUrl");
  cleanups.push(stop);
  if (!adminUrl) throw new Error("no PostgreSQL: install it (initdb/pg_ctl) or set BENCH_DATABASE_URL");
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = `bench_outbound_${RUN}`;
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `node --conditions=react-server --import tsx <script>` as `npm run worker` starts it; stdout discarded, stderr kept. */
function startWorker(env: Record<string, string>, logFile: string): Started {
  const fd = openSync(logFile, "w");
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/worker.ts"], { cwd: PORTAL_DIR, env: cleanEnv(env) as NodeJS.ProcessEnv, stdio: ["ignore", "ignore", fd] });
  closeSync(fd);
  return { child, logFile };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** One 360dialog delivery to the portal's receiver, as the hub sent it (same bytes, same signature). */
function postToPortal(port: number, delivery: Pick<HubDelivery, "body" | "signature">): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: "127.0.0.1", port, path: `/api/webhooks/360dialog/${PARTNER.id}`, method: "POST", agent, headers: { "content-type": "application/json", "content-length": delivery.body.length, "x-360dialog-signature": delivery.signature } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve(0));
    req.end(delivery.body);
  });
}

async function sandboxControl(base: string, route: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}/_sandbox${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox ${route} answered ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** The portal and its worker: a settle fails at once when one of them is gone, instead of waiting out its timeout. */
const watched: Started[] = [];

type Settled = { openJobs: number; pendingDeliveries: number; inboxNotDone: number; deadJobs: number; deadDeliveries: number };

async function settledState(sql: postgres.Sql): Promise<Settled> {
  const [row] = await sql<Settled[]>`
    select (select count(*)::int from jobs where status in ('queued', 'running')) as "openJobs",
           (select count(*)::int from jobs where status = 'dead') as "deadJobs",
           (select count(*)::int from outbound_deliveries where status = 'pending') as "pendingDeliveries",
           (select count(*)::int from outbound_deliveries where status = 'dead') as "deadDeliveries",
           (select count(*)::int from webhook_events where status not in ('done', 'ignored')) as "inboxNotDone"`;
  return row!;
}

/** Waits until no job is queued or running and no outbound delivery is pending (what the portal still owes). */
async function settle(sql: postgres.Sql, what: string, timeoutMs: number): Promise<Settled> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const p of watched) if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`${what}: a process of the portal exited:\n${tail(p.logFile)}`);
    const state = await settledState(sql);
    if (state.openJobs === 0 && state.pendingDeliveries === 0) return state;
    if (Date.now() > deadline) throw new Error(`${what}: not settled after ${timeoutMs / 1000} s (${JSON.stringify(state)})`);
    await sleep(200);
  }
}

/** Jobs made since `since` (the database's clock), by kind: what one phase cost the job runner. */
async function jobsSince(sql: postgres.Sql, since: Date): Promise<string> {
  const rows = await sql<{ kind: string; n: number }[]>`select kind, count(*)::int as n from jobs where created_at >= ${since} group by kind order by kind`;
  return rows.map((r) => `${r.kind} ${r.n}`).join(", ");
}

const dbNow = async (sql: postgres.Sql) => (await sql<{ now: Date }[]>`select clock_timestamp() as now`)[0]!.now;

function inboundDeliveries(): () => Delivery {
  let n = 0;
  return () => {
    const id = `${RUN}-inbound-${n++}`;
    const body = Buffer.from(
      JSON.stringify({
        id,
        event: "channel_running",
        data: {
          id: `ch-${id}`,
          client_id: `cl-${id}`,
          status: "running",
          account_mode: "live",
          created_at: "2026-01-02T03:04:05Z",
          setup_info: { phone_number: "+4915100000000", phone_name: "Bench GmbH", verification_method: "sms" },
          client: { id: `cl-${id}`, name: "Bench GmbH", contact_info: { email: "bench@example.com", language: "en" } },
          waba_account: { id: `waba-${id}`, fb_account_status: "verified", namespace: "bench_namespace" },
        },
      }),
    );
    return { body, signature: createHmac("sha256", PARTNER.platformSecret).update(body).digest("hex") };
  };
}

async function main(): Promise<void> {
  const loadAtStart = loadAverage();
  const url = await database();
  const handle = await openDatabase({ driver: "postgres", url });
  cleanups.push(() => handle.close());
  await migrateDatabase(handle, url);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  cleanups.push(() => sql.end({ timeout: 2 }));

  // The sandbox hub, its own process on a free port, with a partner whose webhooks come to the bench.
  const collector = await startHubCollector();
  cleanups.push(() => collector.close());
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const sandbox = startNodeScript(path.join("sandbox", "server.ts"), ROOT, { SANDBOX_PORT: String(sandboxPort), SANDBOX_HOST: "127.0.0.1" }, path.join(work, "sandbox.log"));
  cleanups.push(() => stopProcess(sandbox));
  await waitUntil(sandbox, "the sandbox", async () => (await fetch(`${sandboxUrl}/_sandbox/health`)).ok, 30_000);
  await sandboxControl(sandboxUrl, "/partners", { ...PARTNER, name: "Bench partner", paymentMode: "partner", webhookUrl: collector.url, lifecycleDelayMs: 0 });

  const hubId = randomUUID();
  await insertHub({
    db: handle.db,
    hub: {
      id: hubId,
      name: "Bench hub",
      partnerId: PARTNER.id,
      partnerApiBaseUrl: sandboxUrl,
      ioBaseUrl: `${sandboxUrl}/dashboard/app`,
      messagingBaseUrl: sandboxUrl,
      paymentMode: "partner",
      credentialsEnc: sealHubCredentials(hubId, { kind: "api_key", apiKey: PARTNER.apiKey }),
      platformSecretEnc: sealPlatformSecret(hubId, PARTNER.platformSecret),
    },
  });
  const admin = await insertUser({ db: handle.db, user: { email: `bench-${RUN}@example.test`, role: "admin", passwordHash: "x" } });

  // The partner's endpoint: every public event type of every hub, made the way Settings and the API make it.
  const receiver = await startVerifyingReceiver();
  cleanups.push(() => receiver.close());
  const { secret } = await createEndpoint({ id: admin.id, email: admin.email }, { url: receiver.url, description: "bench" }, { db: handle.db });
  receiver.useSecret(secret);

  await ensureProductionBuild(PORTAL_DIR, { ...SECRETS, DATA_DIR: path.join(work, "build-data"), SANDBOX: "off" }, path.join(work, "build.log"), (build) =>
    cleanups.push(() => stopProcess(build)),
  );
  const portalPort = await freePort();
  const portalEnv = {
    ...SECRETS,
    NODE_ENV: "production",
    PORT: String(portalPort),
    NEXTAUTH_URL: `http://127.0.0.1:${portalPort}`,
    DATABASE_URL: url,
    SANDBOX: "off",
    RECONCILE_INTERVAL_MINUTES: "0",
    OUTBOUND_ALLOW_PRIVATE: "1",
    OUTBOUND_ALLOW_HTTP: "1",
    LOG_LEVEL: "warn",
    ...(JOBS_CONCURRENCY ? { JOBS_CONCURRENCY } : {}),
  };
  const portal: Started = startNodeScript("server.ts", PORTAL_DIR, { ...portalEnv, DATA_DIR: path.join(work, "portal-data"), JOBS_IN_PROCESS: WORKER === "in-process" ? "true" : "false" }, path.join(work, "portal.log"));
  cleanups.push(() => stopProcess(portal));
  watched.push(portal);
  await waitUntil(portal, "the portal", async () => (await fetch(`http://127.0.0.1:${portalPort}/api/health`)).status === 200, 120_000);
  if (WORKER === "separate") {
    const worker = startWorker({ ...portalEnv, DATA_DIR: path.join(work, "worker-data") }, path.join(work, "worker.log"));
    cleanups.push(() => stopProcess(worker));
    watched.push(worker);
  }
  const [version] = await sql<{ v: string }[]>`select version() as v`;
  console.info(`[bench] ${os.cpus().length} cores, node ${process.version}, ${version?.v.split(",")[0]}; worker ${WORKER}; load average ${loadAtStart}`);

  // ---- 1. channels: running webhook → channel.api_key.ready at the endpoint ----
  console.info(`[bench] onboarding ${CHANNELS} channels at the sandbox ...`);
  const channelIds: string[] = [];
  await inParallel(Array.from({ length: CHANNELS }, (_, i) => i), 8, async (i) => {
    const made = await sandboxControl(sandboxUrl, "/onboard", { partnerId: PARTNER.id, companyName: `Bench ${i} GmbH` });
    channelIds.push(...(made.channelIds as string[]));
  });
  const deadline = Date.now() + 60_000;
  const runningOf = new Map<string, HubDelivery>();
  while (runningOf.size < channelIds.length) {
    for (const d of collector.deliveries) if (d.event === "channel_running" && d.channelId) runningOf.set(d.channelId, d);
    if (Date.now() > deadline) throw new Error(`the sandbox sent channel_running for ${runningOf.size} of ${channelIds.length} channels`);
    await sleep(100);
  }
  // Everything 360dialog says before `running` goes to the portal first (untimed), in the order it was sent.
  const before = collector.deliveries.filter((d) => d.event !== "channel_running" && d.event !== "channel_live");
  const beforeStatuses = new Map<number, number>();
  for (const d of before) {
    const status = await postToPortal(portalPort, d);
    beforeStatuses.set(status, (beforeStatuses.get(status) ?? 0) + 1);
  }
  await settle(sql, "the deliveries before running", 180_000);
  console.info(`[bench] ${before.length} earlier hub deliveries (${[...beforeStatuses].map(([s, n]) => `${s}×${n}`).join(" ")}) processed; ${receiver.arrivals.length} outbound events so far`);

  const channelsSince = await dbNow(sql);
  const startArrivals = receiver.arrivals.length;
  const startDuplicates = receiver.duplicates;
  const startFailures = receiver.failures;
  const postedAt = new Map<string, number>();
  const runningStatuses = new Map<number, number>();
  const readyOf = () => receiver.arrivals.filter((a) => a.type === "channel.api_key.ready" && a.externalId && postedAt.has(a.externalId));
  console.info(`[bench] posting ${CHANNELS} running webhooks at ${CHANNEL_RATE}/s ...`);
  const phaseStart = performance.now();
  const posts: Promise<void>[] = [];
  for (const [i, channelId] of channelIds.entries()) {
    const due = phaseStart + (i * 1_000) / CHANNEL_RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    postedAt.set(channelId, performance.now());
    posts.push(
      postToPortal(portalPort, runningOf.get(channelId)!).then((status) => void runningStatuses.set(status, (runningStatuses.get(status) ?? 0) + 1)),
    );
  }
  await Promise.all(posts);
  await receiver.until(() => readyOf().length >= channelIds.length, 180_000, `channel.api_key.ready for ${channelIds.length} channels`).catch((e: unknown) => console.error(`[bench] ${String(e)}`));
  const channelsDone = await settle(sql, "the running channels", 180_000);
  const ready = readyOf();
  const latencies = ready.map((a) => a.at - postedAt.get(a.externalId!)!).sort((a, b) => a - b);
  const channelJobs = await jobsSince(sql, channelsSince);
  const lifecycle = {
    channels: channelIds.length,
    ready: ready.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    events: receiver.arrivals.length - startArrivals,
    duplicates: receiver.duplicates - startDuplicates,
    failures: receiver.failures - startFailures,
    statuses: [...runningStatuses].map(([s, n]) => `${s}×${n}`).join(" "),
    settled: channelsDone,
  };

  // ---- 2. drain: N events committed at once, the way the app emits them ----
  console.info(`[bench] emitting ${EVENTS} client.created events in one transaction ...`);
  const drainIds = new Set<string>();
  const drainSince = await dbNow(sql);
  const drainStartArrivals = receiver.arrivals.length;
  const drainDuplicates = receiver.duplicates;
  const drainFailures = receiver.failures;
  await handle.db.transaction(async (tx) => {
    const rows = await tx
      .insert(clients)
      .values(Array.from({ length: EVENTS }, (_, i) => ({ hubId, externalId: `drain-${RUN}-${i}`, name: `Drain ${i} GmbH`, email: `drain${i}@example.test` })))
      .returning({ id: clients.id });
    for (const row of rows) {
      const event = await emitEvent(tx, { type: "client.created", hubId, subjectId: row.id });
      if (event) drainIds.add(event.id);
    }
  });
  const committed = performance.now();
  const drained = () => receiver.arrivals.length - drainStartArrivals >= drainIds.size && [...drainIds].every((id) => receiver.byId.has(id));
  await receiver.until(() => receiver.arrivals.length - drainStartArrivals >= drainIds.size, 600_000, `${drainIds.size} drain events`).catch((e: unknown) => console.error(`[bench] ${String(e)}`));
  const drainArrivals = [...drainIds].map((id) => receiver.byId.get(id)).filter((a) => a !== undefined).map((a) => a.at).sort((a, b) => a - b);
  const drainSettled = await settle(sql, "the drain", 120_000);
  const [attempts] = await sql<{ deliveries: number; attempts: number; delivered: number }[]>`
    select count(distinct d.id)::int as deliveries, count(a.id)::int as attempts, count(distinct d.id) filter (where d.status = 'delivered')::int as delivered
    from outbound_deliveries d left join outbound_attempts a on a.delivery_id = d.id
    where d.event_id = any(${[...drainIds]}::uuid[])`;
  const drainSeconds = ((drainArrivals.at(-1) ?? Number.NaN) - committed) / 1_000;
  const tenth = drainArrivals[Math.floor(drainArrivals.length * 0.1)] ?? Number.NaN;
  const ninetieth = drainArrivals[Math.floor(drainArrivals.length * 0.9)] ?? Number.NaN;
  const drainJobs = await jobsSince(sql, drainSince);
  const drain = {
    events: drainIds.size,
    verified: drainArrivals.length,
    complete: drained(),
    seconds: drainSeconds,
    rate: drainArrivals.length / drainSeconds,
    steadyRate: (drainArrivals.length * 0.8) / ((ninetieth - tenth) / 1_000),
    firstMs: (drainArrivals[0] ?? Number.NaN) - committed,
    duplicates: receiver.duplicates - drainDuplicates,
    failures: receiver.failures - drainFailures,
    attempts: attempts!,
    settled: drainSettled,
  };

  // ---- 3. the inbound receiver, same portal, same run ----
  console.info(`[bench] inbound: closed loop ${INBOUND_CONCURRENCY} × ${INBOUND_SECONDS} s of signed deliveries to the portal's receiver ...`);
  const inbound = summarise(await closedLoop({ host: "127.0.0.1", port: portalPort, path: `/api/webhooks/360dialog/${PARTNER.id}` }, INBOUND_CONCURRENCY, INBOUND_SECONDS, inboundDeliveries()));
  const loadAtEnd = loadAverage();

  console.info("");
  console.info(`outbound, channel running → channel.api_key.ready (${lifecycle.channels} channels posted at ${CHANNEL_RATE}/s; running webhooks answered ${lifecycle.statuses}):`);
  console.info(`  ready delivered ${lifecycle.ready}/${lifecycle.channels}; p50 ${fmt(lifecycle.p50)} ms, p99 ${fmt(lifecycle.p99)} ms, max ${fmt(lifecycle.max)} ms`);
  console.info(`  outbound events of the phase ${lifecycle.events} verified, duplicates by webhook-id ${lifecycle.duplicates}, failed verification ${lifecycle.failures}; dead jobs ${lifecycle.settled.deadJobs}, dead deliveries ${lifecycle.settled.deadDeliveries}`);
  console.info(`  jobs of the phase: ${channelJobs}`);
  console.info(`outbound, drain of ${drain.events} events committed at once (client.created, each its own subject):`);
  console.info(
    `  verified ${drain.verified}/${drain.events} in ${fmt(drain.seconds, 2)} s: ${fmt(drain.rate)} deliveries/s (10th–90th percentile of arrivals: ${fmt(drain.steadyRate)}/s); first after ${fmt(drain.firstMs)} ms`,
  );
  console.info(
    `  duplicates by webhook-id ${drain.duplicates}, failed verification ${drain.failures}; deliveries ${drain.attempts.deliveries} (delivered ${drain.attempts.delivered}), attempts ${drain.attempts.attempts}; dead jobs ${drain.settled.deadJobs}, dead deliveries ${drain.settled.deadDeliveries}`,
  );
  console.info(`  jobs of the phase: ${drainJobs}`);
  console.info(`inbound receiver, closed loop ${INBOUND_CONCURRENCY} × ${INBOUND_SECONDS} s: ${inbound.ok}/${inbound.sent} 200, ${fmt(inbound.rps)} req/s, p50 ${fmt(inbound.p50, 2)} ms, p99 ${fmt(inbound.p99, 2)} ms, max ${fmt(inbound.max, 2)} ms${inbound.failures ? `; failures ${inbound.failures}` : ""}`);
  if (receiver.failureReasons.size > 0) console.info(`verification failures: ${[...receiver.failureReasons].map(([r, n]) => `${r} ×${n}`).join("; ")}`);
  console.info(`load average: start ${loadAtStart}, end ${loadAtEnd}. PostgreSQL: throwaway cluster with fsync off unless BENCH_DATABASE_URL.`);
}

let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    agent.destroy();
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => console.error(`[bench] cleanup: ${String(e)}`));
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`[bench] ${signal}: stopping what it started`);
    void cleanUp().finally(() => process.exit(130));
  });
}

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`[bench] failed: ${error instanceof Error ? (process.env.BENCH_DEBUG ? error.stack : error.message) : String(error)}`);
} finally {
  await cleanUp();
}
process.exit(failed ? 1 : 0);
