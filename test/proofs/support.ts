import { execFile, spawn, type ChildProcess } from "node:child_process";
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { signWebhookBody } from "@/lib/hub/webhook-signature";
import { unavailableReason } from "@/test/db/databases";
import { TEST_APP_ENV } from "@/test/db/use-as-app-db";

/*
 * Shared harness of the issue-5 proofs (not a test file): a PostgreSQL cluster of a test's own (so it can be
 * stopped hard without touching the shared one), child processes running real portal code, signed deliveries.
 * The cluster logic follows test/db/global-setup.ts, which exports none of it.
 */

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, "../..");

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ---------- a throwaway cluster of the test's own ----------

function findPostgresBinDir(): string | null {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  let versions: string[] = [];
  try {
    versions = readdirSync("/usr/lib/postgresql").filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {
    versions = [];
  }
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), ...versions.map((v) => `/usr/lib/postgresql/${v}/bin`)];
  return dirs.find((dir) => ["initdb", "pg_ctl"].every((tool) => executable(path.join(dir, tool)))) ?? null;
}

/** initdb refuses root: as root every server tool runs as the Debian 'postgres' user. */
function postgresOwner(): { uid: number; gid: number } | null | "self" {
  if (process.getuid?.() !== 0) return "self";
  const line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("postgres:"));
  const [, , uid, gid] = line?.split(":") ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : null;
}

/** Why this file cannot start a cluster of its own, or null when it can. */
export function ownClusterUnavailableReason(): string | null {
  const shared = unavailableReason("postgres");
  if (shared) return shared;
  if (!findPostgresBinDir()) return "no initdb/pg_ctl to start a PostgreSQL cluster of its own";
  if (postgresOwner() === null) return "running as root and there is no 'postgres' system user to run initdb as";
  return null;
}

export type OwnCluster = {
  /** Superuser URL of the `postgres` database. */
  url: string;
  /** `pg_ctl stop -m immediate`: the postmaster and its backends die at once, as in a crash. */
  crash(): Promise<void>;
  /** `pg_ctl start` on the same port and data directory (crash recovery runs first). */
  start(): Promise<void>;
  dispose(): Promise<void>;
};

export async function startOwnCluster(): Promise<OwnCluster> {
  const binDir = findPostgresBinDir();
  const owner = postgresOwner();
  if (!binDir || owner === null) throw new Error(ownClusterUnavailableReason() ?? "no PostgreSQL");
  const dir = mkdtempSync(path.join(os.tmpdir(), "portal-proof-pg-"));
  if (owner !== "self") chownSync(dir, owner.uid, owner.gid);
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  const exec = (tool: string, args: string[]) => {
    const cmd = path.join(binDir, tool);
    const [file, argv] = owner === "self" ? [cmd, args] : ["runuser", ["-u", "postgres", "--", cmd, ...args]];
    return run(file, argv, { cwd: dir, timeout: 60_000 });
  };
  const port = await freePort();
  // synchronous_commit stays on: an acknowledged commit must survive the crash this cluster is made for. fsync off
  // is safe here (only the server process dies, the OS page cache survives), and keeps DDL fast.
  const options = [`-p ${port}`, "-c listen_addresses=127.0.0.1", `-c unix_socket_directories=${dir}`, "-c fsync=off", "-c max_connections=100"].join(" ");
  const start = async () => {
    await exec("pg_ctl", ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", options]);
  };
  try {
    await exec("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
    await start();
  } catch (error) {
    const log = readText(logFile);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a PostgreSQL cluster of the test's own${log ? `\n${log}` : ""}`, { cause: error });
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    crash: async () => {
      await exec("pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w"]);
    },
    start,
    dispose: async () => {
      try {
        await exec("pg_ctl", ["stop", "-D", dataDir, "-m", "immediate", "-w"]).catch(() => undefined);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("could not find a free port"))));
    });
  });
}

// ---------- real portal code in child processes ----------

export type ChildScript = {
  child: ChildProcess;
  /** Every stdout line that parsed as JSON (pino's log lines, the script's own ready line). */
  lines: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the value of the script's `{"proofReady": …}` line; rejects if the process exits first. */
  ready: Promise<unknown>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to this child's pid, SIGKILL to the same pid after 5 s. */
  stop(): Promise<void>;
};

/** `node --conditions=react-server --import tsx <script> <args>` in the repository, with the test secrets and `env`. */
export function spawnScript(script: string, env: Record<string, string>, args: string[] = []): ChildScript {
  const base: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR", "LANG", "TZ"]) if (process.env[name] !== undefined) base[name] = process.env[name]!;
  const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", script, ...args], {
    cwd: REPO,
    env: { ...base, ...TEST_APP_ENV, NODE_ENV: "test", SANDBOX: "off", RECONCILE_INTERVAL_MINUTES: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let errText = "";
  let partial = "";
  let onReady: (value: unknown) => void = () => {};
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const ready = new Promise<unknown>((resolve, reject) => {
    onReady = resolve;
    void exited.then(({ code, signal }) => reject(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${errText.slice(-3_000)}`)));
  });
  ready.catch(() => {});
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        continue;
      }
      lines.push(parsed);
      if ("proofReady" in parsed) onReady(parsed.proofReady);
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => void (errText += chunk));
  return {
    child,
    lines,
    stderr: () => errText,
    ready,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---------- deliveries ----------

export function signedHeaders(body: string, secret: string): Record<string, string> {
  return { "content-type": "application/json", "x-360dialog-signature": signWebhookBody(body, secret) };
}

/** POSTs one signed delivery to a portal instance's receiver over HTTP; resolves to the status code. */
export async function postDelivery(baseUrl: string, partnerId: string, body: string, secret: string): Promise<number> {
  const res = await fetch(`${baseUrl}/api/webhooks/360dialog/${partnerId}`, { method: "POST", body, headers: signedHeaders(body, secret) });
  await res.arrayBuffer();
  return res.status;
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
