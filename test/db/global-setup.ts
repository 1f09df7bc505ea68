import { execFile } from "node:child_process";
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of a PostgreSQL server where tests may CREATE DATABASE; null = PostgreSQL tests skip. */
    postgresAdminUrl: string | null;
  }
}

const run = promisify(execFile);

/** Throwaway-cluster mode needs these; everything else under /usr/lib/postgresql/<ver>/bin is found by pg_ctl. */
const PG_TOOLS = ["initdb", "pg_ctl"] as const;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide("postgresAdminUrl", external);
    return async () => {};
  }

  const binDir = findPostgresBinDir();
  const runAs = binDir ? postgresRunner() : null;
  if (!binDir || !runAs) {
    const why = binDir ? "running as root and there is no 'postgres' system user to run initdb as" : "no initdb/pg_ctl";
    if (process.env.REQUIRE_POSTGRES === "1") {
      throw new Error(`REQUIRE_POSTGRES=1 but PostgreSQL is unavailable: ${why} and no TEST_DATABASE_URL`);
    }
    warnSkipped(why);
    project.provide("postgresAdminUrl", null);
    return async () => {};
  }

  const cluster = await startCluster(binDir, runAs);
  project.provide("postgresAdminUrl", cluster.url);
  return cluster.stop;
}

function findPostgresBinDir(): string | null {
  const pathDirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  const debianDirs = listDebianVersions().map((v) => `/usr/lib/postgresql/${v}/bin`);
  return [...pathDirs, ...debianDirs].find((dir) => PG_TOOLS.every((tool) => isExecutable(path.join(dir, tool)))) ?? null;
}

/** Debian installs the server only under /usr/lib/postgresql/<ver>/bin, not on PATH. Newest first. */
function listDebianVersions(): string[] {
  try {
    return readdirSync("/usr/lib/postgresql")
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    return [];
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

type Runner = { wrap(cmd: string, args: string[]): [string, string[]]; owner: { uid: number; gid: number } | null };

/** initdb refuses to run as root, so as root every server tool runs as the Debian 'postgres' user. */
function postgresRunner(): Runner | null {
  if (process.getuid?.() !== 0) return { wrap: (cmd, args) => [cmd, args], owner: null };
  const owner = lookupUser("postgres");
  if (!owner) return null;
  return { wrap: (cmd, args) => ["runuser", ["-u", "postgres", "--", cmd, ...args]], owner };
}

function lookupUser(name: string): { uid: number; gid: number } | null {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(":") ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : null;
}

async function startCluster(binDir: string, runner: Runner): Promise<{ url: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portal-pg-"));
  if (runner.owner) chownSync(dir, runner.owner.uid, runner.owner.gid);
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  // cwd = the temp dir: the postgres user may not be allowed into the repo, and the tools chdir to cwd first.
  const exec = (tool: string, args: string[]) => {
    const [cmd, argv] = runner.wrap(path.join(binDir, tool), args);
    return run(cmd, argv, { cwd: dir, timeout: 60_000 });
  };

  try {
    await exec("initdb", ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
    const port = await freePort();
    const serverOptions = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${dir}`,
      // Durability is worthless for a throwaway cluster; these make DDL-heavy tests much faster.
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ].join(" ");
    await exec("pg_ctl", ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", serverOptions]);
    const stop = async () => {
      try {
        await exec("pg_ctl", ["stop", "-D", dataDir, "-m", "fast", "-w"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
  } catch (error) {
    const log = readLog(logFile);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start a throwaway PostgreSQL from ${binDir}${log ? `\n--- server log ---\n${log}` : ""}`, {
      cause: error,
    });
  }
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function freePort(): Promise<number> {
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

function warnSkipped(why: string): void {
  const bar = "!".repeat(78);
  process.stderr.write(
    [
      "",
      bar,
      `!! PostgreSQL integration tests SKIPPED: ${why} and no TEST_DATABASE_URL.`,
      "!! Only the PGlite half of the db suite ran. To run the PostgreSQL half, either",
      "!!   - install the server (Debian: apt-get install postgresql), or",
      "!!   - set TEST_DATABASE_URL to a server where this user may CREATE DATABASE.",
      "!! Set REQUIRE_POSTGRES=1 (CI does) to make this an error instead of a skip.",
      bar,
      "",
      "",
    ].join("\n"),
  );
}
