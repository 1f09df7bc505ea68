import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { freePort, startNodeScript, stopProcess, tail, waitUntil } from "../webhook-ingest/processes";
import { measure, request, signIn } from "./http";
import { benchPages } from "./pages";

// npm run bench:dashboard:cost — where a dashboard page's time goes: for each page of bench:dashboard, the CPU one
// GET costs the portal process and the PostgreSQL server (read from /proc before and after N sequential GETs), and
// the page's size. A page's latency with 4 concurrent users on one portal process is about 4 × its portal CPU, and
// the machine's cores are shared by both columns (bench/README.md, "Where a page's time goes"). Prints figures;
// asserts nothing; Linux only (/proc).
// Needs a database seeded by bench:dashboard (BENCH_KEEP=1 or BENCH_REUSE=1): BENCH_DATABASE_URL (the server),
// BENCH_SCALE=1000000 (which bench_dashboard_<scale>), BENCH_PORTAL_DIR (a checkout with a production build),
// BENCH_REQUESTS=50, BENCH_WARMUP=10, BENCH_PAGES=Overview,Channels (only pages whose label starts so),
// BENCH_CPU_PROF=<dir> (the portal writes a V8 CPU profile there when it stops: open it in Chrome's DevTools),
// BENCH_SAVE_HTML=<dir> (each page's HTML, as one GET returned it, to see what its bytes are).
// Only the seed users' password is reset, as BENCH_REUSE does.

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const PORTAL_DIR = path.resolve(process.env.BENCH_PORTAL_DIR ?? ROOT);
const SCALE = Number(process.env.BENCH_SCALE ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 10);
const ONLY = process.env.BENCH_PAGES?.split(",").map((p) => p.trim()).filter(Boolean);
const CPU_PROF = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
const SAVE_HTML = process.env.BENCH_SAVE_HTML ? path.resolve(process.env.BENCH_SAVE_HTML) : undefined;
if (!process.env.BENCH_DATABASE_URL) throw new Error("set BENCH_DATABASE_URL to the server holding bench_dashboard_<scale> (see bench/README.md)");
const url = new URL(process.env.BENCH_DATABASE_URL);
url.pathname = `/bench_dashboard_${SCALE}`;

const PASSWORD = `bench-${randomBytes(9).toString("base64url")}`;
const SECRETS = { NEXTAUTH_SECRET: randomBytes(32).toString("base64url"), APP_ENCRYPTION_KEY: `b1:${randomBytes(32).toString("base64")}` };
Object.assign(process.env, SECRETS, { LOG_LEVEL: "warn" });
process.chdir(ROOT);
const { hashPassword } = await import("@/lib/auth/password");
const { SEED_USERS } = await import("@/db/seed");

/** CPU milliseconds (user + system) of the processes `pick` accepts, from /proc/<pid>/stat. */
function cpuMs(pick: (pid: number, ppid: number, comm: string) => boolean): number {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile
    }
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (pick(Number(entry), Number(fields[1]), comm)) total += (Number(fields[11]) + Number(fields[12])) * tick;
  }
  return total;
}

const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
await sql`update users set password_hash = ${await hashPassword(PASSWORD)} where email like '%@seed.example'`;
const [target] = await sql<{ name: string; phone: string }[]>`
  select cl.name, right(ch.phone_number, 7) as phone from clients cl join channels ch on ch.client_id = cl.id
  order by cl.external_id limit 1 offset ${Math.floor(SCALE / 3)}`;
await sql.end();

const work = mkdtempSync(path.join(os.tmpdir(), "bench-cost-"));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const portal = startNodeScript(
  "server.ts",
  PORTAL_DIR,
  { ...SECRETS, NODE_ENV: "production", PORT: String(port), NEXTAUTH_URL: base, DATABASE_URL: url.toString(), DATA_DIR: path.join(work, "data"), SANDBOX: "off", JOBS_IN_PROCESS: "false", LOG_LEVEL: "warn" },
  path.join(work, "portal.log"),
  CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF}`] : [],
);
const portalPid = portal.child.pid!;
const ofPortal = (pid: number, ppid: number) => pid === portalPid || ppid === portalPid;
const ofPostgres = (_pid: number, _ppid: number, comm: string) => comm === "postgres";
try {
  await waitUntil(portal, "the portal", async () => (await fetch(`${base}/api/health`)).status === 200, 120_000);
  const cookie = await signIn(base, SEED_USERS[0].email, PASSWORD);
  const pages = await benchPages(base, cookie, { name: target!.name, digits: target!.phone });
  console.info(`bench_dashboard_${SCALE}: ${REQUESTS} sequential GETs per page after ${WARMUP} warm-up, CPU per GET from /proc`);
  console.info(`${"page".padEnd(26)} ${"kB".padStart(6)} ${"p50 ms".padStart(7)} ${"portal CPU".padStart(10)} ${"PostgreSQL CPU".padStart(14)}`);
  for (const page of pages.filter((p) => !ONLY || ONLY.some((prefix) => p.label.startsWith(prefix)))) {
    await measure(base, page.path, cookie, page.expect, WARMUP);
    const node0 = cpuMs(ofPortal);
    const pg0 = cpuMs(ofPostgres);
    const stats = await measure(base, page.path, cookie, page.expect, REQUESTS);
    const node = (cpuMs(ofPortal) - node0) / REQUESTS;
    const pg = (cpuMs(ofPostgres) - pg0) / REQUESTS;
    if (SAVE_HTML) {
      mkdirSync(SAVE_HTML, { recursive: true });
      writeFileSync(path.join(SAVE_HTML, `${page.label.replace(/[^A-Za-z0-9]+/g, "-")}.html`), (await request(base, page.path, { cookie })).body);
    }
    console.info(`${page.label.padEnd(26)} ${(stats.bytes / 1000).toFixed(1).padStart(6)} ${stats.p50.toFixed(1).padStart(7)} ${node.toFixed(1).padStart(10)} ${pg.toFixed(1).padStart(14)}`);
  }
  console.info(`${os.cpus().length} cores; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}.`);
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\nthe portal's log:\n${tail(portal.logFile, 40) || "(empty)"}`);
  process.exitCode = 1;
} finally {
  await stopProcess(portal);
  rmSync(work, { recursive: true, force: true });
}
