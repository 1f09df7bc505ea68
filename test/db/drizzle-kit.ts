import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../..");
const drizzleKit = path.join(repoRoot, "node_modules", ".bin", "drizzle-kit");

export const committedSchema = path.join(repoRoot, "db", "schema.ts");
const committedMigrations = path.join(repoRoot, "drizzle");

export type GenerateResult = { output: string; newMigrations: { file: string; sql: string }[] };

/**
 * Runs `drizzle-kit generate` for `schema` against a scratch copy of the committed migrations, so the real
 * drizzle/ folder is never touched. Reports what it printed and the .sql files it added.
 */
export async function generateAgainstCommitted(schema: string): Promise<GenerateResult> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "portal-drizzle-"));
  try {
    const out = path.join(scratch, "out");
    cpSync(committedMigrations, out, { recursive: true });
    const before = new Set(sqlFiles(out));
    // Mirrors drizzle.config.ts. --out must be relative: drizzle-kit 0.31 prefixes "./" to it, so an absolute
    // path fails (and still exits 0, which is why callers must check the output, not the exit code).
    const { stdout, stderr } = await run(
      drizzleKit,
      [
        "generate",
        "--dialect=postgresql",
        "--casing=snake_case",
        `--schema=${path.relative(repoRoot, schema) || schema}`,
        `--out=${path.relative(repoRoot, out)}`,
      ],
      // A timeout because drizzle-kit asks interactive questions (renames) that nobody would answer here.
      { cwd: repoRoot, timeout: 60_000 },
    );
    const added = sqlFiles(out).filter((file) => !before.has(file));
    return {
      output: `${stdout}\n${stderr}`,
      newMigrations: added.map((file) => ({ file, sql: readFileSync(path.join(out, file), "utf8") })),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A copy of db/schema.ts with `edit` applied, importable from a temp dir. Returns its path and a cleanup. */
export function schemaCopy(source: string, edit: (text: string) => string): { file: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portal-schema-"));
  // The copy imports drizzle-orm; a node_modules link lets it resolve from outside the repo.
  symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "junction");
  const file = path.join(dir, "schema.ts");
  writeFileSync(file, edit(source));
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function sqlFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".sql"));
}
