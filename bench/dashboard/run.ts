import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { freePort, startNodeScript, stopProcess, tail, waitUntil, type Started } from "../webhook-ingest/processes";
import { measure, request, signIn, type Stats } from "./http";
import { benchPages } from "./pages";

// npm run bench:dashboard — server response times of the staff dashboard's pages, signed in, on real PostgreSQL
// seeded by db/seed.ts at each scale (default 10k, 100k and 1M channels). Prints figures; asserts nothing.
// BENCH_SCALES=10000,100000,1000000 (a shorter list for a shorter run)  BENCH_DATABASE_URL (a server where it may CREATE DATABASE)  BENCH_PORTAL_DIR (a checkout
// with a production build; never run `next build` in a shared tree)  BENCH_REQUESTS=100  BENCH_WARMUP=10
// BENCH_CONCURRENCY=4 (0 = skip the concurrent run)  BENCH_SEED=1  BENCH_KEEP=1 (keep the databases)
// BENCH_REUSE=1 (keep them, and measure an existing bench_dashboard_<scale> again instead of seeding it anew).

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const PORTAL_DIR = path.resolve(process.env.BENCH_PORTAL_DIR ?? ROOT);
const SCALES = (process.env.BENCH_SCALES ?? "10000,100000,1000000").split(",").map(Number);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const KEEP = process.env.BENCH_KEEP === "1" || process.env.BENCH_REUSE === "1";
const REUSE = process.env.BENCH_REUSE === "1";
const PASSWORD = `bench-${randomBytes(9).toString("base64url")}`;
const SECRETS = {
  NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
  APP_ENCRYPTION_KEY: `b1:${randomBytes(32).toString("base64")}`,
};

// The bench seals the seed's secrets and keys with the key the portal opens them with.
Object.assign(process.env, SECRETS, { LOG_LEVEL: "warn" });
process.chdir(ROOT);

const { openDatabase } = await import("@/db/client");
const { migrateDatabase } = await import("@/db/migrate");
const { countSeedRows, seedDatabase, SEED_PARTNER_ID, SEED_USERS } = await import("@/db/seed");
const { hashPassword } = await import("@/lib/auth/password");
const { sql: sqlTag } = await import("drizzle-orm");

type Cleanup = () => Promise<void>;
const cleanups: Cleanup[] = [];
const work = mkdtempSync(path.join(os.tmpdir(), "bench-dashboard-"));
cleanups.push(async () => rmSync(work, { recursive: true, force: true }));

async function adminUrl(): Promise<string> {
  if (process.env.BENCH_DATABASE_URL) return process.env.BENCH_DATABASE_URL;
  const { default: setup } = await import("../../test/db/global-setup");
  let url: string | null = null;
  // The db tests' setup also provides a migrated template and a PGlite snapshot; the bench migrates its own
  // databases, so it asks for neither and keeps only the server's URL.
  process.env.TEST_DB_MIGRATE_EACH = "1";
  const provide = (key: string, value: string | null) => {
    if (key === "postgresAdminUrl") url = value;
  };
  const stop = await setup({ provide } as unknown as Parameters<typeof setup>[0]);
  cleanups.push(stop);
  if (!url) throw new Error("no PostgreSQL: install it (initdb/pg_ctl) or set BENCH_DATABASE_URL");
  // Reloadable settings only (the cluster keeps shared_buffers at its default 128 MB): faster bulk load and index builds.
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  for (const setting of ["maintenance_work_mem = '512MB'", "max_wal_size = '8GB'", "checkpoint_timeout = '30min'"]) await admin.unsafe(`alter system set ${setting}`);
  await admin`select pg_reload_conf()`;
  await admin.end();
  return url;
}

/** `load`: the 1-minute load average when that run ended (the machine is shared; a figure is read beside it). */
type Run = Stats & { load: number };
type ScaleResult = { scale: number; seedSeconds: number; dbSize: string; counts: Record<string, number>; pages: { label: string; path: string; seq: Run; conc?: Run }[] };

const load1 = () => os.loadavg()[0]!;

async function runScale(admin: string, scale: number): Promise<ScaleResult> {
  const name = `bench_dashboard_${scale}`;
  const root = postgres(admin, { max: 1, onnotice: () => {} });
  cleanups.push(() => root.end({ timeout: 2 }));
  const [existing] = await root<{ n: number }[]>`select count(*)::int as n from pg_database where datname = ${name}`;
  const reuse = REUSE && existing?.n === 1;
  if (!reuse) {
    await root.unsafe(`drop database if exists ${name} with (force)`);
    await root.unsafe(`create database ${name}`);
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  if (!KEEP) cleanups.push(async () => void (await root.unsafe(`drop database if exists ${name} with (force)`)));

  const handle = await openDatabase({ driver: "postgres", url: url.toString(), connectTimeoutSeconds: 10 });
  await migrateDatabase(handle, url.toString());
  let seeded: { seconds: number; counts: Record<string, number> };
  if (reuse) {
    // A database seeded by an earlier run (BENCH_REUSE=1): only the seed users' password is set anew.
    const hash = await hashPassword(PASSWORD);
    await handle.db.execute(sqlTag`update users set password_hash = ${hash} where email like '%@seed.example'`);
    const [hub] = (await handle.db.execute(sqlTag`select id from hubs where partner_id = ${SEED_PARTNER_ID}`)) as unknown as { id: string }[];
    seeded = { seconds: Number.NaN, counts: await countSeedRows(handle.db, hub!.id) };
    console.info(`[bench] reusing ${name}`);
  } else {
    console.info(`[bench] seeding ${scale.toLocaleString("en")} channels ...`);
    seeded = await seedDatabase(handle.db, { scale, seed: SEED, password: PASSWORD, log: (line) => console.info(`[seed] ${line}`) });
  }
  await handle.close();
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const t0 = Date.now();
  await sql`vacuum analyze`;
  console.info(`[bench] seeded in ${seeded.seconds.toFixed(0)} s; vacuum analyze ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const [size] = await sql<{ size: string }[]>`select pg_size_pretty(pg_database_size(current_database())) as size`;
  const [target] = await sql<{ name: string; phone: string }[]>`
    select cl.name, right(ch.phone_number, 7) as phone from clients cl join channels ch on ch.client_id = cl.id
    order by cl.external_id limit 1 offset ${Math.floor(scale / 3)}`;
  await sql.end();

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const portal: Started = startNodeScript("server.ts", PORTAL_DIR, {
    ...SECRETS,
    NODE_ENV: "production",
    PORT: String(port),
    NEXTAUTH_URL: base,
    DATABASE_URL: url.toString(),
    DATA_DIR: path.join(work, `portal-data-${scale}`),
    SANDBOX: "off",
    JOBS_IN_PROCESS: "false",
    LOG_LEVEL: "warn",
  }, path.join(work, `portal-${scale}.log`));
  try {
    await waitUntil(portal, "the portal", async () => (await fetch(`${base}/api/health`)).status === 200, 120_000);
    const cookie = await signIn(base, SEED_USERS[0].email, PASSWORD);
    const pages = await benchPages(base, cookie, { name: target!.name, digits: target!.phone });
    const results: ScaleResult["pages"] = [];
    for (const page of pages) {
      await measure(base, page.path, cookie, page.expect, WARMUP);
      const seq = { ...(await measure(base, page.path, cookie, page.expect, REQUESTS)), load: load1() };
      const conc = CONCURRENCY > 0 ? { ...(await measure(base, page.path, cookie, page.expect, REQUESTS, CONCURRENCY)), load: load1() } : undefined;
      console.info(
        `[bench] ${scale.toLocaleString("en")} ${page.label}: p50 ${seq.p50.toFixed(1)} ms, p95 ${seq.p95.toFixed(1)} ms` +
          (conc ? `; ${CONCURRENCY}× p50 ${conc.p50.toFixed(1)} ms, p95 ${conc.p95.toFixed(1)} ms` : "") +
          ` (load ${seq.load.toFixed(1)}${conc ? `/${conc.load.toFixed(1)}` : ""})`,
      );
      results.push({ label: page.label, path: page.path, seq, conc });
    }
    await request(base, "/api/health");
    return { scale, seedSeconds: seeded.seconds, dbSize: size!.size, counts: seeded.counts, pages: results };
  } catch (error) {
    // Whether the server was still up, and what it logged, tells a dropped connection from a crash.
    const { exitCode, signalCode } = portal.child;
    const state = exitCode === null && signalCode === null ? "still running" : `exited (${exitCode ?? signalCode})`;
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n[bench] the portal: ${state}; its log:\n${tail(portal.logFile, 40) || "(empty)"}`, { cause: error });
  } finally {
    await stopProcess(portal);
  }
}

const f = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "-" : n.toFixed(1));
const k = (scale: number) => (scale >= 1_000_000 ? `${scale / 1_000_000}M` : `${scale / 1000}k`);

function printTable(title: string, results: ScaleResult[], pick: (p: ScaleResult["pages"][number]) => Run | undefined): void {
  const first = results[0];
  const last = results.at(-1);
  const ratio = results.length > 1 && first && last ? `${k(last.scale)}/${k(first.scale)} p95` : null;
  const header = ["page", ...results.flatMap((r) => [`${k(r.scale)} p50`, "p95", "max", "load"]), ...(ratio ? [ratio] : [])];
  const rows = (first?.pages ?? []).map((page, i) => {
    const base = pick(page)?.p95;
    const top = last ? pick(last.pages[i]!)?.p95 : undefined;
    return [
      page.label,
      ...results.flatMap((r) => {
        const run = r.pages[i] ? pick(r.pages[i]) : undefined;
        return [f(run?.p50), f(run?.p95), f(run?.max), run ? run.load.toFixed(1) : "-"];
      }),
      ...(ratio ? [base && top ? `${(top / base).toFixed(1)}x` : "-"] : []),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.info("");
  console.info(title);
  console.info(line(header));
  console.info(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.info(line(row));
}

function printTables(results: ScaleResult[]): void {
  console.info("");
  for (const r of results) {
    console.info(`scale ${r.scale.toLocaleString("en")}: ${Number.isFinite(r.seedSeconds) ? `seeded in ${r.seedSeconds.toFixed(0)} s` : "an existing database, reused"}, database ${r.dbSize}; rows: ${Object.entries(r.counts).map(([t, n]) => `${t} ${n.toLocaleString("en")}`).join(", ")}`);
  }
  printTable(`Sequential: ${REQUESTS} GETs one after another (after ${WARMUP} warm-up)`, results, (p) => p.seq);
  if (CONCURRENCY > 0) printTable(`Concurrent: ${REQUESTS} GETs, ${CONCURRENCY} at a time (${CONCURRENCY} signed-in users)`, results, (p) => p.conc);
  console.info("");
  console.info(`ms to the full body, signed in as admin. "load": the 1-minute load average when that run ended. Targets: p95 < 150 ms at 1M at ${CONCURRENCY} concurrent; the figures alike at every scale.`);
  console.info(`PostgreSQL: ${process.env.BENCH_DATABASE_URL ? "BENCH_DATABASE_URL" : "throwaway cluster with fsync off"}. ${os.cpus().length} cores; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}.`);
}

async function main(): Promise<void> {
  const admin = await adminUrl();
  const results: ScaleResult[] = [];
  for (const scale of SCALES) results.push(await runScale(admin, scale));
  printTables(results);
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
