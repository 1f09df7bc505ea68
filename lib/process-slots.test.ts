import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// A static check that process-wide state stays in one typed place: only lib/process-slots.ts casts globalThis to
// reach a slot of its own; everyone else goes through processSlots, so no slot is declared twice with two types.

const root = path.resolve(import.meta.dirname, "..");
const SLOTS_MODULE = "lib/process-slots.ts";
const FOLDERS = ["app", "db", "lib", "sandbox", "scripts", "test", "e2e"];
/** This file names the patterns it looks for. */
const CHECKER = "lib/process-slots.test.ts";
const isSource = (name: string) => /\.(ts|tsx|mts|js|mjs)$/.test(name);

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(rel);
    return isSource(entry.name) ? [rel] : [];
  });
}

/** Files in the repository root (server.ts, instrumentation.ts, proxy.ts, the configs). */
function topLevelFiles(): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((entry) => (entry.isFile() && isSource(entry.name) ? [entry.name] : []));
}

// `globalThis as …` and `globalThis["__x"]` / `globalThis.__x`: the ways to hang state of ours on the global object.
// Reading a standard global (globalThis.fetch) is not state of ours.
const castsGlobal = /\bglobalThis\s+as\b|\bglobalThis\s*\[|\bglobalThis\.__/;

describe("process slots", () => {
  const files = [...FOLDERS.flatMap((dir) => sourceFiles(dir)), ...topLevelFiles()];

  it("finds the sources, the slots module among them", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toEqual(expect.arrayContaining([SLOTS_MODULE, "server.ts"]));
    expect(castsGlobal.test(readFileSync(path.join(root, SLOTS_MODULE), "utf8"))).toBe(true);
  });

  it("are reached through lib/process-slots.ts only", () => {
    const offenders = files.filter((file) => file !== SLOTS_MODULE && file !== CHECKER && castsGlobal.test(readFileSync(path.join(root, file), "utf8")));
    expect(offenders).toEqual([]);
  });
});
