import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

// `npx tsx scripts/folder-cycles.ts [--tests]`: the folder graph of lib/* (each folder one node; a file directly in
// lib/ is its own node) from every import, export-from and dynamic import, and the cycles in it (strongly connected
// components of more than one node, and every pair of folders importing each other, with the imports that do it).
// Test files (*.test.ts, test-support.ts) are left out unless --tests is given. Exits 1 when a cycle exists.
// scripts/folder-cycles.test.ts keeps lib/ free of them.

const ROOT = path.resolve(import.meta.dirname, "..");
const LIB = path.join(ROOT, "lib");

const isTest = (file: string) => /\.test\.tsx?$/.test(file) || /(^|\/)test-support\.tsx?$/.test(file);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The node a file under lib/ belongs to: "lib/<folder>", or "lib/<file>" for a file directly in lib/. */
function nodeOf(file: string): string | null {
  const rel = path.relative(LIB, file);
  if (rel.startsWith("..")) return null;
  const [first, ...rest] = rel.split(path.sep);
  return rest.length ? `lib/${first}` : `lib/${first!.replace(/\.tsx?$/, "")}`;
}

function resolve(from: string, specifier: string): string | null {
  const base = specifier.startsWith("@/") ? path.join(ROOT, specifier.slice(2)) : specifier.startsWith(".") ? path.resolve(path.dirname(from), specifier) : null;
  if (!base) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // next candidate
    }
  }
  return null;
}

/** node → node it imports → the imports that make the edge ("from → to", paths from the repository root). */
export type FolderGraph = Map<string, Map<string, string[]>>;

export function folderGraph(options: { tests?: boolean } = {}): FolderGraph {
  const edges: FolderGraph = new Map();
  for (const file of filesUnder(LIB)) {
    if (!options.tests && isTest(file)) continue;
    const from = nodeOf(file)!;
    const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const ref of info.importedFiles) {
      const target = resolve(file, ref.fileName);
      const to = target ? nodeOf(target) : null;
      if (!to || to === from) continue;
      const out = edges.get(from) ?? new Map<string, string[]>();
      edges.set(from, out);
      out.set(to, [...(out.get(to) ?? []), `${path.relative(ROOT, file)} → ${path.relative(ROOT, target!)}`]);
    }
  }
  return edges;
}

/** Tarjan's strongly connected components with more than one node: each is a set of folders importing in a ring. */
export function folderCycles(edges: FolderGraph): string[][] {
  const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])])].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) connect(v);
  return components;
}

/** Pairs of folders that import each other directly. */
export function mutualImports(edges: FolderGraph): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [a, out] of edges) for (const b of out.keys()) if (a < b && edges.get(b)?.has(a)) pairs.push([a, b]);
  return pairs.sort((x, y) => `${x}`.localeCompare(`${y}`));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tests = process.argv.includes("--tests");
  const edges = folderGraph({ tests });
  const components = folderCycles(edges);
  const pairs = mutualImports(edges);
  const nodeCount = new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]).size;
  console.log(`folder graph of lib/* (${tests ? "with" : "without"} tests): ${nodeCount} nodes, ${[...edges.values()].reduce((n, m) => n + m.size, 0)} edges`);
  console.log(`cycles (strongly connected components): ${components.length}`);
  for (const c of components) console.log(`  { ${c.join(", ")} }`);
  console.log(`two-folder cycles: ${pairs.length}`);
  for (const [a, b] of pairs) {
    console.log(`  ${a} ↔ ${b}`);
    for (const via of [...edges.get(a)!.get(b)!, ...edges.get(b)!.get(a)!]) console.log(`      ${via}`);
  }
  process.exit(components.length ? 1 : 0);
}
