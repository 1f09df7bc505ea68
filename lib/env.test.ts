import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { ConfigError, parseEnv } from "./env";

const secret = "s".repeat(40);
const key = `k1:${Buffer.alloc(32, 7).toString("base64")}`;

describe("parseEnv", () => {
  it("stops a production start that lacks NEXTAUTH_SECRET, naming it", () => {
    expect(() => parseEnv({ NODE_ENV: "production", APP_ENCRYPTION_KEY: key })).toThrowError(/NEXTAUTH_SECRET/);
  });

  it("stops a production start that lacks APP_ENCRYPTION_KEY, naming it", () => {
    expect(() => parseEnv({ NODE_ENV: "production", NEXTAUTH_SECRET: secret })).toThrowError(/APP_ENCRYPTION_KEY/);
  });

  it("refuses a short NEXTAUTH_SECRET", () => {
    expect(() => parseEnv({ NODE_ENV: "production", NEXTAUTH_SECRET: "short", APP_ENCRYPTION_KEY: key })).toThrow(ConfigError);
  });

  it("generates development secrets once and reuses them", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "env-test-"));
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const first = parseEnv({ NODE_ENV: "development", DATA_DIR: dir });
    const second = parseEnv({ NODE_ENV: "development", DATA_DIR: dir });
    expect(first.NEXTAUTH_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(first.APP_ENCRYPTION_KEY).toMatch(/^k1:/);
    expect(second.NEXTAUTH_SECRET).toBe(first.NEXTAUTH_SECRET);
    expect(second.APP_ENCRYPTION_KEY).toBe(first.APP_ENCRYPTION_KEY);
    expect(info).toHaveBeenCalledTimes(1);
    expect(String(info.mock.calls[0]?.[0])).toMatch(/generated NEXTAUTH_SECRET and APP_ENCRYPTION_KEY/);
    const file = path.join(dir, "secrets.json");
    expect(JSON.parse(readFileSync(file, "utf8")).NEXTAUTH_SECRET).toBe(first.NEXTAUTH_SECRET);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    info.mockRestore();
  });

  it("chooses the database from DATABASE_URL", () => {
    const base = { NODE_ENV: "production", NEXTAUTH_SECRET: secret, APP_ENCRYPTION_KEY: key };
    expect(parseEnv(base).dbDriver).toBe("pglite");
    expect(parseEnv(base).PGLITE_DIR).toBe(path.join(".data", "pglite"));
    expect(parseEnv({ ...base, DATABASE_URL: "postgres://u@127.0.0.1:5432/portal" }).dbDriver).toBe("postgres");
    expect(() => parseEnv({ ...base, DATABASE_URL: "mysql://x" })).toThrowError(/DATABASE_URL/);
  });

  it("reads PORT and refuses nonsense", () => {
    const base = { NODE_ENV: "production", NEXTAUTH_SECRET: secret, APP_ENCRYPTION_KEY: key };
    expect(parseEnv({ ...base, PORT: "3100" }).PORT).toBe(3100);
    expect(parseEnv(base).PORT).toBe(3000);
    expect(() => parseEnv({ ...base, PORT: "http" })).toThrowError(/PORT/);
  });
});

describe("APP_ENCRYPTION_KEY at boot", () => {
  it("refuses a malformed key ring without echoing it", () => {
    const bad = "k1:c2hvcnQ=";
    let message = "";
    try {
      parseEnv({ NODE_ENV: "production", NEXTAUTH_SECRET: secret, APP_ENCRYPTION_KEY: bad });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/APP_ENCRYPTION_KEY/);
    expect(message).not.toContain("c2hvcnQ");
  });
});
