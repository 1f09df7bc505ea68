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

export function getLogger(): pino.Logger {
  slots.logger ??= pino({
    level: getEnv().LOG_LEVEL,
    base: undefined,
    redact: { paths: redactPaths, censor: "[redacted]" },
  });
  return slots.logger;
}

export function logger(component: string): pino.Logger {
  return getLogger().child({ component });
}
