import { spawn } from "node:child_process";
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// `npm test`: every check, in the order that fails fastest. All steps run; the exit code says if any failed.
// The db step runs beside the e2e step: each has its own database (a throwaway PostgreSQL cluster and in-memory
// PGlite; the e2e server's PGlite in its own temp dir), its own ports, and each spends much of its time waiting
// (on PostgreSQL, on the browser), so together they take far less than one after the other (bench/README.md,
// "CI time"). Likewise typecheck runs beside lint. A step run beside prints its output whole when it ends.
// TEST_SERIAL=1 runs every step alone.

type Step = { name: string; command: string; args: string[]; env?: Record<string, string>; beside?: boolean };

const serial = process.env.TEST_SERIAL === "1";
const steps: Step[] = [
  // Beside lint: each is one single-threaded process on a 2-core machine.
  { name: "typecheck", command: "npx", args: ["tsc", "--noEmit"], beside: !serial },
  { name: "lint", command: "npx", args: ["eslint", "--max-warnings", "0", "."] },
  { name: "unit", command: "npx", args: ["vitest", "run", "--project", "unit"] },
  // Built before the db step: a proof there runs the production server (test/proofs/webhook-fast-path.db.test.ts).
  { name: "build", command: "npx", args: ["next", "build"] },
  { name: "db (PGlite + PostgreSQL)", command: "npx", args: ["vitest", "run", "--project", "db"], beside: !serial },
  { name: "e2e (Playwright, Chromium)", command: "npx", args: ["playwright", "test"], env: { E2E_SKIP_BUILD: "1" } },
];

const only = process.argv.slice(2);
type Result = { name: string; ok: boolean; seconds: number };
const results: Result[] = [];
const besides: Promise<void>[] = [];
const logDir = mkdtempSync(path.join(tmpdir(), "portal-test-"));
const started = Date.now();

function runBeside(step: Step): Promise<void> {
  const log = path.join(logDir, `${step.name.split(" ")[0]}.log`);
  const fd = openSync(log, "w");
  console.log(`\n━━ ${step.name} ━━ ${step.command} ${step.args.join(" ")} (beside the next steps; output when it ends)`);
  const begun = Date.now();
  const child = spawn(step.command, step.args, { stdio: ["ignore", fd, fd], env: { ...process.env, ...step.env } });
  closeSync(fd);
  return new Promise((resolve) => {
    const finish = (ok: boolean) => {
      const seconds = (Date.now() - begun) / 1000;
      console.log(`\n━━ ${step.name} ━━ output (${seconds.toFixed(1)} s)\n${readFileSync(log, "utf8")}`);
      results.push({ name: step.name, ok, seconds });
      resolve();
    };
    child.on("error", () => finish(false));
    child.on("exit", (code) => finish(code === 0));
  });
}

/** A step in the foreground, awaited rather than run synchronously, so a step beside it is timed when it ends. */
function runInline(step: Step): Promise<boolean> {
  const child = spawn(step.command, step.args, { stdio: "inherit", env: { ...process.env, ...step.env } });
  return new Promise((resolve) => {
    child.on("error", () => resolve(false));
    child.on("exit", (code) => resolve(code === 0));
  });
}

for (const step of steps) {
  if (only.length && !only.some((o) => step.name.startsWith(o))) continue;
  if (step.beside) {
    besides.push(runBeside(step));
    continue;
  }
  console.log(`\n━━ ${step.name} ━━ ${step.command} ${step.args.join(" ")}`);
  const begun = Date.now();
  const ok = await runInline(step);
  results.push({ name: step.name, ok, seconds: (Date.now() - begun) / 1000 });
  // Without a build there is nothing for the browser tests to run against; the db step still runs.
  if (!ok && step.name === "build") steps.splice(steps.findIndex((s) => s.name.startsWith("e2e")), 1);
}
await Promise.all(besides);
rmSync(logDir, { recursive: true, force: true });

console.log("\n━━ summary ━━");
for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${r.name.padEnd(28)} ${r.seconds.toFixed(1)} s`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed; ${((Date.now() - started) / 1000).toFixed(1)} s in all${serial ? "" : " (typecheck beside lint, db beside e2e)"}`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
