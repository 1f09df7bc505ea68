import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

// Child processes of the benchmark: the portal's production server and the baseline receiver. Each is started
// here, tracked by its pid, and stopped here; nothing else is touched.

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

/** Only what a server needs: no HUB_*, DATABASE_URL or other settings leak in from the caller's shell. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR", "LANG", "TZ"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}

const ROUTE_BUILD = path.join(".next", "server", "app", "api", "webhooks", "360dialog", "[partnerId]", "route.js");

/**
 * Builds the portal in `dir` when it has no production build at all. An existing build without the webhook route
 * is refused rather than rebuilt: `next build` wipes .next first, and others may be running that build.
 */
export async function ensureProductionBuild(dir: string, env: Record<string, string>, logFile: string, track: (s: Started) => void): Promise<void> {
  const hasBuild = existsSync(path.join(dir, ".next", "BUILD_ID"));
  if (hasBuild && existsSync(path.join(dir, ROUTE_BUILD))) {
    console.info(`[bench] using the production build in ${path.join(dir, ".next")}`);
    return;
  }
  if (hasBuild) {
    throw new Error(`the production build in ${path.join(dir, ".next")} predates the webhook route: run \`npx next build\` there, or point BENCH_PORTAL_DIR at a checkout with a fresh build`);
  }
  console.info(`[bench] no production build in ${dir}: running next build (log: ${logFile}) ...`);
  const started = Date.now();
  const fd = openSync(logFile, "w");
  // next's own entry, not npx: one process of ours to stop if the bench is interrupted.
  const child = spawn(process.execPath, [path.join(dir, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: dir, stdio: ["ignore", fd, fd], env: cleanEnv(env) as NodeJS.ProcessEnv });
  closeSync(fd);
  track({ child, logFile });
  const code = await new Promise<number | string>((resolve) => child.once("exit", (c, signal) => resolve(c ?? signal ?? "?")));
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${tail(logFile)}`);
  console.info(`[bench] build finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export type Started = { child: ChildProcess; logFile: string };

/** Starts `node --import tsx <script>` in `cwd`; stdout is discarded (the portal's per-delivery log lines), stderr kept. */
export function startNodeScript(script: string, cwd: string, env: Record<string, string>, logFile: string, nodeArgs: string[] = []): Started {
  const fd = openSync(logFile, "w");
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", script], { cwd, env: cleanEnv(env) as NodeJS.ProcessEnv, stdio: ["ignore", "ignore", fd] });
  closeSync(fd);
  return { child, logFile };
}

/** Polls until `probe` resolves true, failing early if the process died. */
export async function waitUntil(started: Started, what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null || started.child.signalCode !== null) {
      throw new Error(`${what} exited (${started.child.exitCode ?? started.child.signalCode}) before it was ready:\n${tail(started.logFile)}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${tail(started.logFile)}`);
}

/** SIGTERM to the process we started, SIGKILL to that same pid if it is still there after 5 s. */
export async function stopProcess(started: Started | null): Promise<void> {
  const child = started?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}
