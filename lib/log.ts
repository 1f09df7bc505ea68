import "server-only";
import pino from "pino";
import { getEnv } from "./env";
import { processSlots as slots } from "./process-slots";

// Secrets never reach a log line (docs/security.md R20): these paths are censored wherever they appear.
export const redactPaths = [
  "password",
  "*.password",
  "newPassword",
  "*.newPassword",
  "token",
  "*.token",
  "state",
  "*.state",
  "apiKey",
  "*.apiKey",
  "api_key",
  "*.api_key",
  "access_token",
  "*.access_token",
  "platformSecret",
  "*.platformSecret",
  "secret",
  "*.secret",
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  'headers["x-360dialog-signature"]',
  'headers["d360-api-key"]',
  'headers["x-api-key"]',
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["set-cookie"]',
  '*.headers["x-360dialog-signature"]',
  '*.headers["d360-api-key"]',
  '*.headers["x-api-key"]',
];

/**
 * Most bytes of log lines held while stdout cannot take them (a stalled log collector); past it lines are dropped
 * rather than the process's memory growing or its event loop waiting.
 */
const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

export function getLogger(): pino.Logger {
  slots.logger ??= pino(
    {
      level: getEnv().LOG_LEVEL,
      base: undefined,
      redact: { paths: redactPaths, censor: "[redacted]" },
    },
    // Written asynchronously and in blocks: lines wait until 4 KiB have gathered or 250 ms have passed, then go out
    // in one write, and the event loop never waits on stdout (written line by line, a stalled log collector would
    // stall every request; the webhook receiver's one write(2) per delivery was 11 of its 160 µs a delivery in its
    // profile, bench/README.md). pino flushes what is held synchronously when the process exits (process.exit, a
    // signal handler's exit, an uncaught error); only a SIGKILL loses the last lines, at most 250 ms of them.
    pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250, maxLength: LOG_BUFFER_MAX_BYTES }),
  );
  return slots.logger;
}

export function logger(component: string): pino.Logger {
  return getLogger().child({ component });
}
