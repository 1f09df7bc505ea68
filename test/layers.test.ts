import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

// The layer rules of eslint.config.mjs, run through ESLint itself on small in-memory files: a refactor of the config
// that stops one of them from biting fails here, not in review.

const root = path.resolve(import.meta.dirname, "..");
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("layer rules", () => {
  it.each([
    ["app/(dashboard)/dashboard/layer-probe/page.tsx", 'import { listUsers } from "@/db/queries/users";', "through lib/"],
    ["app/(dashboard)/dashboard/layer-probe/page.tsx", 'import type { User } from "../../../../db/schema";', "through lib/"],
    ["lib/layer-probe.ts", 'import { startSandbox } from "@/sandbox/sandbox";', "separate party"],
    ["lib/layer-probe.ts", 'import { ui } from "@/app/_components/ui";', "Nothing below app/"],
    ["lib/hub/layer-probe.ts", 'import { getEnv } from "@/lib/env";', "pure 360dialog protocol"],
    ["lib/hub/layer-probe.ts", 'import { logger } from "../log";', "pure 360dialog protocol"],
    ["db/queries/layer-probe.ts", 'import { getEnv } from "@/lib/env";', "db/lib-deps.ts"],
    ["db/layer-probe.ts", 'import { sealSecret } from "../lib/secrets";', "db/lib-deps.ts"],
    ["server.ts", 'export { startSandbox } from "./sandbox/sandbox";', "separate party"],
    ["scripts/layer-probe.ts", 'import { startSandbox } from "../sandbox/sandbox";', "separate party"],
    ["sandbox/layer-probe.ts", 'import { parseEvent } from "@/lib/hub/events";', "shares nothing with the portal"],
    ["sandbox/layer-probe.ts", 'import { x } from "../test/support/sandbox";', "shares nothing with the portal"],
  ])("refuses %s: %s", async (file, source, says) => {
    const errors = await layerErrors(file, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(says);
  });

  it.each([
    ["app/(dashboard)/dashboard/layer-probe/page.tsx", 'import { loadUserList } from "@/lib/dashboard/users";'],
    ["app/(dashboard)/dashboard/layer-probe/page.test.ts", 'import { listUsers } from "@/db/queries/users";'],
    ["lib/layer-probe.ts", 'import { listUsers } from "@/db/queries/users";'],
    ["lib/dev-sandbox-probe.ts", 'import { startDevSandbox } from "./dev-sandbox";'],
    ["lib/hub/layer-probe.ts", 'import { z } from "zod";\nimport { parseEvent } from "./events";\nimport { x } from "@/lib/hub/http";'],
    ["db/lib-deps.ts", 'import { getEnv } from "@/lib/env";'],
    ["db/queries/layer-probe.ts", 'import { users } from "../schema";\nimport { x } from "./lib-deps";'],
    ["sandbox/layer-probe.ts", 'import { startSandbox } from "./sandbox";\nimport { y } from "@/sandbox/types";'],
    ["lib/channels/layer-probe.db.test.ts", 'import { startSandbox } from "@/sandbox/sandbox";'],
  ])("allows %s: %s", async (file, source) => {
    expect(await layerErrors(file, source)).toEqual([]);
  });
});
