import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { cpuBetween, sampleCpu } from "./cpu";
import { closedLoop, emptyResult, openLoop, oversizedPost, summarise, type Delivery, type PhaseResult, type Summary, type Target } from "./load";
import { ensureProductionBuild, freePort, startNodeScript, stopProcess, waitUntil, type Started } from "./processes";

// npm run bench:webhook-ingest — the webhook receiver of a production build on real PostgreSQL, against a bare
// node:http server doing the same verify-and-insert, in the same run. Prints figures; asserts nothing.
// BENCH_DATABASE_URL: use that database instead of a throwaway cluster. BENCH_PORTAL_DIR: a checkout whose
// .next to run (default: this one). BENCH_RATE, BENCH_OPEN_SECONDS, BENCH_CONCURRENCY, BENCH_CLOSED_SECONDS.

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const PORTAL_DIR = path.resolve(process.env.BENCH_PORTAL_DIR ?? ROOT);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const OPEN_SECONDS = Number(process.env.BENCH_OPEN_SECONDS ?? 15);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const CLOSED_SECONDS = Number(process.env.BENCH_CLOSED_SECONDS ?? 10);
const SECRET = randomBytes(24).toString("base64url");
const RUN = randomBytes(4).toString("hex");
const SECRETS = {
  NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
  APP_ENCRYPTION_KEY: `b1:${randomBytes(32).toString("base64")}`,
};

// The bench process seals the hub's secret with the same key the portal will open it with.
Object.assign(process.env, SECRETS, { LOG_LEVEL: "warn" });
process.chdir(ROOT); // db/migrate.ts finds drizzle/ from the working directory

const { openDatabase } = await import("@/db/client");
const { migrateDatabase } = await import("@/db/migrate");
const { insertHub } = await import("@/db/queries/hubs");
const { sealPlatformSecret } = await import("@/lib/hub-config/secrets");

type Cleanup = () => Promise<void>;
const cleanups: Cleanup[] = [];
const work = mkdtempSync(path.join(os.tmpdir(), "bench-webhook-"));
cleanups.push(async () => rmSync(work, { recursive: true, force: true }));

async function database(): Promise<string> {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const { default: setup } = await import("../../test/db/global-setup");
  let adminUrl: string | null = null;
  // The db tests' setup also provides a migrated template and a PGlite snapshot; the bench migrates its own
  // database, so it asks for neither and keeps only the server's URL.
  process.env.TEST_DB_MIGRATE_EACH = "1";
  const provide = (key: string, value: string | null) => {
    if (key === "postgresAdminUrl") adminUrl = value;
  };
  const stop = await setup({ provide } as unknown as Parameters<typeof setup>[0]);
  cleanups.push(stop);
  if (!adminUrl) throw new Error("no PostgreSQL: install it (initdb/pg_ctl) or set BENCH_DATABASE_URL");
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin`create database bench`;
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = "/bench";
  return url.toString();
}

function deliveries(label: string): () => Delivery {
  let n = 0;
  return () => {
    const id = `${RUN}-${label}-${n++}`;
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
    return { body, signature: createHmac("sha256", SECRET).update(body).digest("hex") };
  };
}

const sequences = new Map<string, () => Delivery>();

/** Two rounds of one phase on one server as one result: counts, time and latencies added up. */
function mergeResults(a: PhaseResult, b: PhaseResult): PhaseResult {
  const failures = { ...a.failures };
  for (const [key, count] of Object.entries(b.failures)) failures[key] = (failures[key] ?? 0) + count;
  return { sent: a.sent + b.sent, ok: a.ok + b.ok, errors: a.errors + b.errors, failures, seconds: a.seconds + b.seconds, latenciesMs: a.latenciesMs.concat(b.latenciesMs) };
}

/** Extra node flags for the portal, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (written when it stops). */
const nodeArgs = (flags: string | undefined) => (flags ? flags.split(/\s+/).filter(Boolean) : []);

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");

type Row = { phase: string; server: string; s: Summary; stored: number; cpu: { server: number; postgres: number } };
const perDelivery = (ms: number, s: Summary) => (s.ok > 0 ? ms / s.ok : Number.NaN);
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");

function printTable(rows: Row[]): void {
  const header = ["phase", "server", "sent", "200", "errors", "req/s", "p50 ms", "p99 ms", "max ms", "rows", "cpu ms/req", "pg cpu ms/req", "failures"];
  const lines = rows.map((r) => [
    r.phase,
    r.server,
    String(r.s.sent),
    String(r.s.ok),
    String(r.s.errors),
    fmt(r.s.rps),
    fmt(r.s.p50, 2),
    fmt(r.s.p99, 2),
    fmt(r.s.max, 2),
    String(r.stored),
    fmt(perDelivery(r.cpu.server, r.s), 3),
    fmt(perDelivery(r.cpu.postgres, r.s), 3),
    r.s.failures,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => cells.map((c, i) => (i < 2 || i === 12 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.info(render(header));
  console.info(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.info(render(line));
}

async function main(): Promise<void> {
  const url = await database();
  const handle = await openDatabase({ driver: "postgres", url });
  cleanups.push(() => handle.close());
  await migrateDatabase(handle, url);
  const hubId = randomUUID();
  const partnerId = `bench${RUN}`;
  await insertHub({
    db: handle.db,
    hub: { id: hubId, name: "Bench hub", partnerId, partnerApiBaseUrl: "http://127.0.0.1:9/api", ioBaseUrl: "http://127.0.0.1:9/io", platformSecretEnc: sealPlatformSecret(hubId, SECRET) },
  });

  await ensureProductionBuild(PORTAL_DIR, { ...SECRETS, DATA_DIR: path.join(work, "build-data"), SANDBOX: "off" }, path.join(work, "build.log"), (build) =>
    cleanups.push(() => stopProcess(build)),
  );

  const [portalPort, baselinePort] = [await freePort(), await freePort()];
  const portal: Started = startNodeScript("server.ts", PORTAL_DIR, {
    ...SECRETS,
    NODE_ENV: "production",
    PORT: String(portalPort),
    NEXTAUTH_URL: `http://127.0.0.1:${portalPort}`,
    DATABASE_URL: url,
    DATA_DIR: path.join(work, "portal-data"),
    SANDBOX: "off",
    JOBS_IN_PROCESS: "false",
    LOG_LEVEL: "info",
  }, path.join(work, "portal.log"), nodeArgs(process.env.BENCH_PORTAL_NODE_ARGS));
  cleanups.push(() => stopProcess(portal));
  const baseline: Started = startNodeScript(path.join(ROOT, "bench", "webhook-ingest", "baseline-server.ts"), ROOT, {
    BASELINE_PORT: String(baselinePort),
    BASELINE_DATABASE_URL: url,
    BASELINE_HUB_ID: hubId,
    BASELINE_SECRET: SECRET,
  }, path.join(work, "baseline.log"));
  cleanups.push(() => stopProcess(baseline));

  const targets: Record<"portal" | "baseline", Target> = {
    portal: { host: "127.0.0.1", port: portalPort, path: `/api/webhooks/360dialog/${partnerId}` },
    baseline: { host: "127.0.0.1", port: baselinePort, path: "/" },
  };
  await waitUntil(portal, "the portal", async () => (await fetch(`http://127.0.0.1:${portalPort}/api/health`)).status === 200, 90_000);
  await waitUntil(baseline, "the baseline", async () => (await fetch(`http://127.0.0.1:${baselinePort}/`, { method: "POST" })).status === 401, 30_000);

  const sql = postgres(url, { max: 1, onnotice: () => {} });
  cleanups.push(() => sql.end({ timeout: 2 }));
  const [version] = await sql<{ v: string }[]>`select version() as v`;
  console.info(`[bench] ${os.cpus().length} cores, node ${process.version}, ${version?.v.split(",")[0]}; load average ${loadAverage()}`);
  const databaseName = decodeURIComponent(new URL(url).pathname.slice(1));
  const pids = { portal: portal.child.pid, baseline: baseline.child.pid };
  console.info(`[bench] warming up both servers (3 s each, 4 concurrent) ...`);
  for (const server of ["portal", "baseline"] as const) await closedLoop(targets[server], 4, 3, deliveries(`warm-${server}`));

  type Server = "portal" | "baseline";
  const results: { phase: string; server: Server; result: PhaseResult; label: string; cpu: Row["cpu"] }[] = [];
  // The closed loop runs in rounds, portal, baseline, baseline, portal, half its time each: a slowdown of the machine
  // that lasts a few seconds, or one that grows through the phase, then weighs on both servers alike instead of on
  // whichever ran during it. The open loop runs once each: it measures latency at a fixed rate, not a ratio.
  const phases = [
    { phase: `open ${RATE}/s × ${OPEN_SECONDS}s`, rounds: ["portal", "baseline"] as Server[], run: (t: Target, next: () => Delivery) => openLoop(t, RATE, OPEN_SECONDS, next) },
    {
      phase: `closed ${CONCURRENCY} × ${CLOSED_SECONDS}s`,
      rounds: ["portal", "baseline", "baseline", "portal"] as Server[],
      run: (t: Target, next: () => Delivery) => closedLoop(t, CONCURRENCY, CLOSED_SECONDS / 2, next),
    },
  ];
  const roundRates: string[] = [];
  for (const [index, { phase, rounds, run }] of phases.entries()) {
    for (const server of rounds) {
      const label = `p${index}-${server}`;
      // One delivery sequence per phase and server, carried over from round to round: every id stays unique.
      let entry = results.find((r) => r.label === label);
      if (!entry) {
        entry = { phase, server, label, result: emptyResult(), cpu: { server: 0, postgres: 0 } };
        results.push(entry);
        sequences.set(label, deliveries(label));
      }
      console.info(`[bench] ${phase} → ${server}${rounds.length > 2 ? ` (round ${roundRates.length + 1} of ${rounds.length})` : ""} ...`);
      const before = await sampleCpu(sql, databaseName, pids[server]);
      const result = await run(targets[server], sequences.get(label)!);
      const cpu = cpuBetween(before, await sampleCpu(sql, databaseName, pids[server]));
      if (rounds.length > 2) roundRates.push(`${server} ${fmt(result.ok / result.seconds, 0)}`);
      entry.result = mergeResults(entry.result, result);
      entry.cpu = { server: entry.cpu.server + cpu.server, postgres: entry.cpu.postgres + cpu.postgres };
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }

  const oversize: string[] = [];
  for (const server of ["portal", "baseline"] as const) {
    for (const declared of [true, false]) {
      const r = await oversizedPost(targets[server], 10 * 1024 * 1024, declared);
      oversize.push(`${server} ${declared ? "declared" : "chunked"}: ${r.status} in ${fmt(r.ms)} ms`);
    }
  }

  const rows: Row[] = [];
  for (const r of results) {
    const [count] = await sql<{ n: number }[]>`select count(*)::int as n from webhook_events where dedup_key like ${`id:${RUN}-${r.label}-%`}`;
    rows.push({ phase: r.phase, server: r.server, s: summarise(r.result), stored: count?.n ?? 0, cpu: r.cpu });
  }

  console.info("");
  printTable(rows);
  const rps = (phase: string, server: string) => rows.find((r) => r.phase === phase && r.server === server)?.s.rps ?? Number.NaN;
  const closed = phases[1]!.phase;
  const open = phases[0]!.phase;
  const openPortal = rows.find((r) => r.phase === open && r.server === "portal")!.s;
  console.info("");
  console.info(`ratio portal/baseline, max throughput (${closed}): ${fmt(rps(closed, "portal") / rps(closed, "baseline"), 2)}   (target ≥ 0.5)`);
  const cpuOf = (server: string) => {
    const row = rows.find((r) => r.phase === closed && r.server === server)!;
    return perDelivery(row.cpu.server + row.cpu.postgres, row.s);
  };
  console.info(
    `CPU per delivery, server + PostgreSQL (${closed}): portal ${fmt(cpuOf("portal"), 3)} ms, baseline ${fmt(cpuOf("baseline"), 3)} ms; ` +
      `baseline/portal ${fmt(cpuOf("baseline") / cpuOf("portal"), 2)} (the throughput ratio when CPU-bound, whatever else runs)`,
  );
  console.info(`closed-loop rounds, req/s: ${roundRates.join(", ")}`);
  console.info(`load average at the end: ${loadAverage()}`);
  console.info(`portal p99 at ${RATE} req/s: ${fmt(openPortal.p99, 2)} ms   (target < 50 ms)`);
  console.info(`10 MB body → ${oversize.join("; ")}   (R2: 413 in < 100 ms)`);
  console.info("rows = inbox rows stored for that phase (every 200 must have one). PostgreSQL: throwaway cluster with fsync off unless BENCH_DATABASE_URL.");
}

let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
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
  console.error(`[bench] failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanUp();
}
process.exit(failed ? 1 : 0);
