import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { optionsFromCli } from "./server";

describe("sandbox entry", () => {
  it("reads flags before the environment and defaults to 127.0.0.1:8082", () => {
    expect(optionsFromCli([], {})).toMatchObject({ port: 8082, host: "127.0.0.1", seedDefault: false, quiet: false });
    expect(optionsFromCli([], { SANDBOX_PORT: "9000", SANDBOX_SEED_DEFAULT: "1", SANDBOX_WEBHOOK_URL: "http://127.0.0.1:3000/h" })).toMatchObject({
      port: 9000,
      seedDefault: { webhookUrl: "http://127.0.0.1:3000/h" },
    });
    const fromFlags = optionsFromCli(
      ["--port", "0", "--host", "0.0.0.0", "--state-file", "s.json", "--seed-default", "--redirect-url", "http://127.0.0.1:3000/r"],
      { SANDBOX_PORT: "9000" },
    );
    expect(fromFlags).toMatchObject({ port: 0, host: "0.0.0.0", stateFile: "s.json", seedDefault: { redirectUrl: "http://127.0.0.1:3000/r" } });
    expect(() => optionsFromCli(["--port", "70000"], {})).toThrow(/invalid port/);
    expect(() => optionsFromCli(["--bogus"], {})).toThrow();
  });

  it("starts as a child process with tsx, prints its URL and stops on SIGTERM", async () => {
    const root = path.resolve(import.meta.dirname, "..");
    const child = spawn(process.execPath, ["--import", "tsx", "sandbox/server.ts", "--port", "0", "--seed-default", "--quiet"], { cwd: root });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
      setTimeout(() => reject(new Error(`no start line: ${out}`)), 10_000);
    });
    const partner = await fetch(`${url}/api/v2/partners/sandboxPA`, { headers: { "x-api-key": "sandbox-partner-key" } });
    expect(partner.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 15_000);
});
