import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

// docs/security.md R21: the real server entry point refuses to start in production without its secrets.
function startServer(extra: Record<string, string>) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "production",
    PORT: "0",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "boot-")),
    ...extra,
  };
  return spawnSync("npx", ["tsx", "server.ts"], { env: env as NodeJS.ProcessEnv, encoding: "utf8", timeout: 60_000 });
}

describe("production boot", () => {
  const key = `k1:${Buffer.alloc(32, 1).toString("base64")}`;

  it("exits non-zero naming NEXTAUTH_SECRET when it is missing", () => {
    const run = startServer({ APP_ENCRYPTION_KEY: key });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/cannot start: .*NEXTAUTH_SECRET/);
  });

  it("exits non-zero naming APP_ENCRYPTION_KEY when it is missing", () => {
    const run = startServer({ NEXTAUTH_SECRET: "x".repeat(40) });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/cannot start: .*APP_ENCRYPTION_KEY/);
  });

  it("exits non-zero on a malformed APP_ENCRYPTION_KEY", () => {
    const run = startServer({ NEXTAUTH_SECRET: "x".repeat(40), APP_ENCRYPTION_KEY: "k1:tooshort" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/APP_ENCRYPTION_KEY/);
    expect(run.stderr).not.toContain("tooshort");
  });
});
