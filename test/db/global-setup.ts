import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { accessSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of a PostgreSQL server where tests may CREATE DATABASE; null = PostgreSQL tests skip. */
    postgresAdminUrl: string | null;
    /** A database on that server with every migration applied, cloned by freshDatabase(); null = migrate each. */
    postgresTemplate: string | null;
    /** A file holding the data directory of a migrated PGlite (dumpDataDir), loaded by freshDatabase(). */
    pgliteSnapshot: string | null;
  }
}

const run = promisify(execFile);

/** Throwaway-cluster mode needs these; everything else under /usr/lib/postgresql/<ver>/bin is found by pg_ctl. */
const PG_TOOLS = ["initdb", "pg_ctl"] as const;

// Migrating costs more than most test files: an in-memory PGlite runs initdb in a second WASM instance and then
// every migration, a PostgreSQL database runs every migration. So the migrations run once here, and each file's
// database starts as a copy (test/db/databases.ts).
// TEST_DB_MIGRATE_EACH=1 migrates every database from empty instead (to compare the two).
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const copies = process.env.TEST_DB_MIGRATE_EACH !== "1";
  const snapshotDir = mkdtempSync(path.join(os.tmpdir(), "portal-pglite-snapshot-"));
  project.provide("pgliteSnapshot", copies ? await writeMigratedPgliteSnapshot(snapshotDir) : null);
  const stopSnapshot = async () => rmSync(snapshotDir, { recursive: true, force: true });

  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide("postgresAdminUrl", external);
    const template = copies ? await createMigratedTemplate(external) : null;
    project.provide("postgresTemplate", template?.name ?? null);
    return async () => {
      await template?.drop();
      await stopSnapshot();
    };
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
    project.provide("postgresTemplate", null);
    return stopSnapshot;
  }

  const cluster = await startCluster(binDir, runAs);
  project.provide("postgresAdminUrl", cluster.url);
  try {
    project.provide("postgresTemplate", copies ? (await createMigratedTemplate(cluster.url)).name : null);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return async () => {
    await cluster.stop(); // the template goes with the cluster
    await stopSnapshot();
  };
}

/** Migrates an in-memory PGlite with the portal's own migrator and writes its data directory to a file. */
async function writeMigratedPgliteSnapshot(dir: string): Promise<string> {
  const handle = await openDatabase({ driver: "pglite", dataDir: null });
  try {
    await migrateDatabase(handle);
    const client = (handle.db as unknown as { $client: PGlite }).$client;
    const file = path.join(dir, "migrated.tar");
    writeFileSync(file, Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer()));
    return file;
  } finally {
    await handle.close();
  }
}

/** A migrated database used only as CREATE DATABASE … TEMPLATE; nothing may stay connected to it. */
async function createMigratedTemplate(adminUrl: string): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `template_${randomBytes(6).toString("hex")}`;
  const withAdmin = async (query: (sql: postgres.Sql) => Promise<unknown>) => {
    const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await query(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
  };
  const drop = () => withAdmin((sql) => sql`drop database if exists ${sql(name)} with (force)`);
  await withAdmin((sql) => sql`create database ${sql(name)}`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const handle = await openDatabase({ driver: "postgres", url: url.toString(), poolMax: 1 });
    try {
      await migrateDatabase(handle, url.toString());
    } finally {
      await handle.close();
    }
  } catch (error) {
    await drop();
    throw error;
  }
  return { name, drop };
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
