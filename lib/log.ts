import "server-only";
import pino from "pino";
import { getEnv } from "./env";

// Secrets never reach a log line (R20): these paths are censored wherever they appear.
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

const slot = globalThis as unknown as { __portalLogger?: pino.Logger };

export function getLogger(): pino.Logger {
  slot.__portalLogger ??= pino({
    level: getEnv().LOG_LEVEL,
    base: undefined,
    redact: { paths: redactPaths, censor: "[redacted]" },
  });
  return slot.__portalLogger;
}

export function logger(component: string): pino.Logger {
  return getLogger().child({ component });
}
