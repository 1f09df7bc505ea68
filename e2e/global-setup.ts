import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { E2E_BODY_READ_TIMEOUT_MS } from "./support/raw-http";
import { startSmtpServer } from "../test/support/smtp";
import { LIVE_GATE_DIR, MAIL_DIR, RESULTS_DIR, SERVER_LOG, STATE_FILE, serverLogTail, type ServerState } from "./support/server-state";

// Builds the portal (unless E2E_SKIP_BUILD=1), starts the production server on a fresh PGlite database in a
// temp dir and a free port, and waits until /api/health answers 200. Returns the teardown.

const ROOT = path.resolve(import.meta.dirname, "..");
const BIN = path.join(ROOT, "node_modules", ".bin");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

function build(secrets: Record<string, string>, workDir: string): void {
  if (process.env.E2E_SKIP_BUILD === "1") {
    if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
      throw new Error("E2E_SKIP_BUILD=1 but there is no production build in .next: run `npx next build` first.");
    }
    console.log("[e2e] E2E_SKIP_BUILD=1: using the existing production build in .next");
    return;
  }
  const logFile = path.join(RESULTS_DIR, "e2e-build.log");
  const started = Date.now();
  console.log(`[e2e] building the portal (npx next build, output in ${path.relative(ROOT, logFile)}) ...`);
  const fd = openSync(logFile, "w");
  // The build prerenders pages that read the configuration and open the database, so it gets the same
  // secrets as the server and a throwaway data directory of its own.
  const buildData = path.join(workDir, "build-data");
  const result = spawnSync("npx", ["next", "build"], {
    cwd: ROOT,
    stdio: ["ignore", fd, fd],
    env: {
      ...process.env,
      ...secrets,
      DATA_DIR: buildData,
      PGLITE_DIR: path.join(buildData, "pglite"),
      DATABASE_URL: "",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  closeSync(fd);
  if (result.status !== 0) {
    throw new Error(`next build failed (exit ${result.status ?? result.signal}):\n${tail(logFile)}`);
  }
  console.log(`[e2e] build finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function waitForHealth(baseURL: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the portal server exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${serverLogTail()}`);
    }
    try {
      const res = await fetch(`${baseURL}/api/health`, { signal: AbortSignal.timeout(3_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${await res.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the portal did not become healthy within ${timeoutMs / 1000} s (last: ${last}):\n${serverLogTail()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // detached: the server (tsx and the node process it starts) is its own process group; signal only that group.
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 8_000);
  await exited;
  clearTimeout(timer);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  rmSync(LIVE_GATE_DIR, { recursive: true, force: true });
  mkdirSync(LIVE_GATE_DIR);
  rmSync(MAIL_DIR, { recursive: true, force: true });
  mkdirSync(MAIL_DIR);
  const workDir = mkdtempSync(path.join(tmpdir(), "portal-e2e-"));
  const secrets = {
    NEXTAUTH_SECRET: randomBytes(36).toString("base64"), // 48 characters
    APP_ENCRYPTION_KEY: `k1:${randomBytes(32).toString("base64")}`,
  };

  try {
    build(secrets, workDir);
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }

  // A real SMTP server for the whole run: the portal sends through it, the specs read what arrived (e2e/support/mail.ts).
  let mailCount = 0;
  const smtp = await startSmtpServer({
    onMail: (mail) => writeFileSync(path.join(MAIL_DIR, `${String(++mailCount).padStart(5, "0")}.json`), JSON.stringify(mail)),
  });

  const port = process.env.E2E_PORT ? Number(process.env.E2E_PORT) : await freePort();
  const baseURL = `http://localhost:${port}`;
  const dataDir = path.join(workDir, "data");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...secrets,
    NODE_ENV: "production",
    PORT: String(port),
    NEXTAUTH_URL: baseURL,
    DATA_DIR: dataDir,
    PGLITE_DIR: path.join(dataDir, "pglite"),
    LOGIN_MAX_ATTEMPTS: "5",
    // Every sign-in of the suite comes from 127.0.0.1 and successful ones count too: keep the per-IP limit
    // (default 50 per 15 min) out of the way of the per-email lockout the suite tests.
    LOGIN_IP_MAX_ATTEMPTS: "1000",
    // Likewise every onboarding start of the suite comes from one address.
    ONBOARDING_STARTS_PER_IP: "1000",
    // The attacks name a client made seconds before the attacker's session; with the default allowance for
    // clock skew (30 s) such a client would still count as new (docs/onboarding-redirect.md). One machine, one clock.
    ONBOARDING_CLOCK_SKEW_SECONDS: "1",
    // hardening.spec.ts waits this out with bodies that never finish arriving.
    BODY_READ_TIMEOUT_MS: String(E2E_BODY_READ_TIMEOUT_MS),
    NEXT_TELEMETRY_DISABLED: "1",
    // The local 360dialog sandbox runs beside the portal, on 8082: the port the official Connect Button
    // package opens for env="local".
    SANDBOX: "on",
    SANDBOX_PORT: "8082",
    // Lets live-orderings.spec.ts hold a live stream at each stage of its opening (lib/live/test-gate.ts).
    E2E_LIVE_GATE_DIR: LIVE_GATE_DIR,
    SMTP_URL: smtp.url,
    MAIL_FROM: "Portal e2e <portal@e2e.test>",
  };
  delete env.DATABASE_URL; // embedded PGlite
  delete env.TRUST_PROXY_HOPS; // 0: X-Forwarded-For from a client is never trusted
  delete env.E2E_BASE_URL;
  delete env.SANDBOX_URL;
  for (const name of Object.keys(env)) if (name.startsWith("HUB_")) delete env[name]; // no live hub in tests

  const logFd = openSync(SERVER_LOG, "w");
  const child = spawn(path.join(BIN, "tsx"), ["server.ts"], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  console.log(`[e2e] portal starting on ${baseURL} (pid ${child.pid}, DATA_DIR ${dataDir}, log ${path.relative(ROOT, SERVER_LOG)})`);

  const teardown = async () => {
    await stop(child);
    await smtp.close();
    if (process.env.E2E_KEEP_DATA === "1") console.log(`[e2e] kept the data directory ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
    rmSync(STATE_FILE, { force: true });
  };

  try {
    const started = Date.now();
    await waitForHealth(baseURL, child, 90_000);
    console.log(`[e2e] portal healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    await teardown();
    throw error;
  }

  child.on("exit", (code, sig) => {
    console.error(`[e2e] the portal server exited unexpectedly (${code ?? sig}); last log lines:\n${serverLogTail(40)}`);
  });

  process.env.E2E_BASE_URL = baseURL;
  const state: ServerState = { baseURL, port, pid: child.pid!, dataDir, log: SERVER_LOG };
  writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));

  return async () => {
    child.removeAllListeners("exit");
    await teardown();
  };
}
