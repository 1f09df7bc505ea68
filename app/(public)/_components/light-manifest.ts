import { readFileSync } from "node:fs";
import path from "node:path";

// Where the light pages' scripts are (docs/nextjs.md §2): scripts/light-islands.ts builds them into public/_light/
// with content-hashed names and writes this manifest; light-pages.tsx reads it to name the page's script.

export const LIGHT_PUBLIC_DIR = "_light";
export const LIGHT_MANIFEST = "manifest.json";

/** The URL of the first script (its island and the package are chunks it imports). */
export type LightManifest = { loader: string };

let cached: LightManifest | null = null;

/** Read once in production; in development on every page, since `npm run dev` rebuilds the scripts on a change. */
export function lightManifest(): LightManifest {
  // process.env, not getEnv(): next.config.ts loads this file (through scripts/light-islands.ts), where neither the
  // "@/" alias nor the app's validated environment exists; NODE_ENV is the one variable read, and Next.js sets it.
  if (cached && process.env.NODE_ENV === "production") return cached;
  const file = path.join(process.cwd(), "public", LIGHT_PUBLIC_DIR, LIGHT_MANIFEST);
  try {
    cached = JSON.parse(readFileSync(file, "utf8")) as LightManifest;
  } catch (error) {
    throw new Error(`The light pages' script is not built (${file}): run \`npm run build\` or \`npm run dev\`.`, { cause: error });
  }
  return cached;
}
