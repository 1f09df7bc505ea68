import { spawnSync } from "node:child_process";

// `npm test`: every check, in the order that fails fastest. All steps run; the exit code says if any failed.

type Step = { name: string; command: string; args: string[]; env?: Record<string, string> };

const steps: Step[] = [
  { name: "typecheck", command: "npx", args: ["tsc", "--noEmit"] },
  { name: "lint", command: "npx", args: ["eslint", "--max-warnings", "0", "."] },
  { name: "unit", command: "npx", args: ["vitest", "run", "--project", "unit"] },
  // Built before the db step: a proof there runs the production server (test/proofs/webhook-fast-path.db.test.ts).
  { name: "build", command: "npx", args: ["next", "build"] },
  { name: "db (PGlite + PostgreSQL)", command: "npx", args: ["vitest", "run", "--project", "db"] },
  { name: "e2e (Playwright, Chromium)", command: "npx", args: ["playwright", "test"], env: { E2E_SKIP_BUILD: "1" } },
];

const only = process.argv.slice(2);
const results: { name: string; ok: boolean; seconds: number }[] = [];

for (const step of steps) {
  if (only.length && !only.some((o) => step.name.startsWith(o))) continue;
  console.log(`\n━━ ${step.name} ━━ ${step.command} ${step.args.join(" ")}`);
  const started = Date.now();
  const run = spawnSync(step.command, step.args, { stdio: "inherit", env: { ...process.env, ...step.env } });
  const ok = run.status === 0;
  results.push({ name: step.name, ok, seconds: (Date.now() - started) / 1000 });
  // Without a build there is nothing for the browser tests to run against; the db step still runs.
  if (!ok && step.name === "build") steps.splice(steps.findIndex((s) => s.name.startsWith("e2e")), 1);
}

console.log("\n━━ summary ━━");
for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${r.name.padEnd(28)} ${r.seconds.toFixed(1)} s`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
