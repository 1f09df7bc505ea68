import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { BuildOptions, Metafile, Plugin } from "esbuild";
import { LIGHT_MANIFEST, LIGHT_PUBLIC_DIR, type LightManifest } from "../app/(public)/_components/light-manifest";

// The scripts of the light client pages (`/`, `/join/<token>`; docs/nextjs.md §2), which Next.js does not bundle:
// those pages are Pages Router pages without Next's client runtime, so their one script and the island it loads on
// the click are built here with esbuild into public/_light/ (git-ignored), with a manifest the pages read to name
// the script. Run by `next build` (next.config.ts, so every way of building makes them) and by `npm run dev`
// (server.ts --dev, rebuilt on every change).

const ENTRY = "app/(public)/_components/connect-loader.ts";

function outputFor(metafile: Metafile, outdir: string, root: string): LightManifest {
  const entry = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint === ENTRY);
  if (!entry) throw new Error(`light islands: esbuild produced no output for ${ENTRY}`);
  const file = path.relative(outdir, path.resolve(root, entry[0])).split(path.sep).join("/");
  return { loader: `/${LIGHT_PUBLIC_DIR}/${file}` };
}

async function writeManifest(outdir: string, manifest: LightManifest): Promise<void> {
  // Written whole and renamed into place: a page rendered meanwhile reads the old manifest or the new one.
  const file = path.join(outdir, LIGHT_MANIFEST);
  await writeFile(`${file}.tmp`, JSON.stringify(manifest));
  await rename(`${file}.tmp`, file);
}

/** Removes the hashed files of earlier builds that this build did not write. */
async function pruneStale(outdir: string, metafile: Metafile, root: string): Promise<void> {
  const kept = new Set(Object.keys(metafile.outputs).map((file) => path.resolve(root, file)));
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name !== LIGHT_MANIFEST && !kept.has(full)) await rm(full, { force: true });
    }
  };
  await walk(outdir);
}

export async function buildLightIslands({ root = process.cwd(), dev = false, watch = false } = {}): Promise<LightManifest> {
  const esbuild = await import("esbuild");
  const outdir = path.join(root, "public", LIGHT_PUBLIC_DIR);
  await mkdir(outdir, { recursive: true });
  const options: BuildOptions = {
    absWorkingDir: root,
    entryPoints: [ENTRY],
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    target: "es2020",
    platform: "browser",
    jsx: "automatic",
    minify: !dev,
    sourcemap: dev ? "linked" : false,
    metafile: true,
    tsconfig: path.join(root, "tsconfig.json"),
    // Content-hashed names: next.config.ts serves public/_light/ as immutable.
    entryNames: "[name]-[hash]",
    chunkNames: "chunks/[name]-[hash]",
    define: { "process.env.NODE_ENV": JSON.stringify(dev ? "development" : "production") },
    // The triggers' "use client" marks them for the App Router; here they are plain modules.
    logOverride: { "module-level-directive": "silent" },
    logLevel: "warning",
  };
  if (!watch) {
    const result = await esbuild.build(options);
    const manifest = outputFor(result.metafile!, outdir, root);
    await writeManifest(outdir, manifest);
    await pruneStale(outdir, result.metafile!, root);
    return manifest;
  }
  let first: ((manifest: LightManifest) => void) | null = null;
  const ready = new Promise<LightManifest>((resolve) => (first = resolve));
  const onEnd: Plugin = {
    name: "light-manifest",
    setup(build) {
      build.onEnd(async (result) => {
        if (!result.metafile) return; // a failed rebuild: esbuild printed why, the last good files stay
        const manifest = outputFor(result.metafile, outdir, root);
        await writeManifest(outdir, manifest);
        await pruneStale(outdir, result.metafile, root);
        first?.(manifest);
        first = null;
      });
    },
  };
  const context = await esbuild.context({ ...options, plugins: [onEnd] });
  await context.watch();
  return ready;
}
