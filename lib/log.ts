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
    // Written asynchronously: lines that come while a write is under way go out together in the next one, so the
    // event loop never waits on stdout. Written line by line, a stalled log collector would stall every request,
    // and the writes cost the webhook receiver about 3 % of its throughput (bench/README.md). pino flushes what is
    // held synchronously when the process exits (process.exit, a signal handler's exit, an uncaught error); only a
    // SIGKILL loses the last few milliseconds of lines.
    pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_MAX_BYTES }),
  );
  return slots.logger;
}

export function logger(component: string): pino.Logger {
  return getLogger().child({ component });
}
