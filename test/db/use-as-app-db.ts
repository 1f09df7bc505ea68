import { Writable } from "node:stream";
import pino from "pino";
import type { DatabaseHandle } from "@/db/client";
import { resetEnvForTests } from "@/lib/env";
import { redactPaths } from "@/lib/log";
import { processSlots as slot } from "@/lib/process-slots";

// Lets a db test drive app code (route handlers, lib functions that call getDb()) against its own database,
// with fixed test secrets and the log lines captured instead of printed.

export const TEST_APP_ENV = {
  NEXTAUTH_SECRET: "test-nextauth-secret-0123456789abcdef0123456789",
  APP_ENCRYPTION_KEY: `t1:${Buffer.alloc(32, 7).toString("base64")}`,
  LOG_LEVEL: "info",
} as const;

/** Fixed secrets for getEnv() (never the development secrets file); call before any app code runs. */
export function setTestAppEnv(extra: Record<string, string> = {}): void {
  Object.assign(process.env, TEST_APP_ENV, extra);
  resetEnvForTests();
}

/** Makes lib/db.ts getDb() return `handle` until the returned function is called. */
export function bindAppDatabase(handle: DatabaseHandle): () => void {
  const previous = slot.db;
  slot.db = Promise.resolve(handle);
  return () => {
    slot.db = previous;
  };
}

export type CapturedLogs = {
  /** Every line logged since the last clear, parsed. */
  lines(): Record<string, unknown>[];
  /** The raw text of those lines, for "no secret anywhere" checks. */
  text(): string;
  clear(): void;
  restore(): void;
};

/** Routes lib/log.ts output (same redaction as production) into memory. */
export function captureAppLogs(): CapturedLogs {
  let buffer: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      buffer.push(chunk.toString("utf8"));
      done();
    },
  });
  const previous = slot.logger;
  slot.logger = pino({ level: "info", base: undefined, redact: { paths: redactPaths, censor: "[redacted]" } }, sink);
  return {
    lines: () =>
      buffer
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => buffer.join(""),
    clear: () => {
      buffer = [];
    },
    restore: () => {
      slot.logger = previous;
    },
  };
}
