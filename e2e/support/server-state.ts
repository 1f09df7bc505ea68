import { readFileSync } from "node:fs";
import path from "node:path";

// How global setup hands the running portal to the config and the workers: process.env (inherited by the
// workers, which start after global setup) and, as a fallback, a small JSON file in the output directory.

export const RESULTS_DIR = path.resolve(import.meta.dirname, "..", "..", "test-results");
export const STATE_FILE = path.join(RESULTS_DIR, "e2e-server.json");
export const SERVER_LOG = path.join(RESULTS_DIR, "e2e-server.log");
/** Where the server's live-stream test gate meets the tests (lib/live/test-gate.ts, e2e/live-orderings.spec.ts). */
export const LIVE_GATE_DIR = path.join(RESULTS_DIR, "live-gate");

/** Every mail the portal sends during the run, one JSON file each (e2e/global-setup.ts, e2e/support/mail.ts). */
export const MAIL_DIR = path.join(RESULTS_DIR, "mail");

export type ServerState = { baseURL: string; port: number; pid: number; dataDir: string; log: string };

export function readServerState(): ServerState | undefined {
  try {
    return JSON.parse(readFileSync(STATE_FILE, "utf8")) as ServerState;
  } catch {
    return undefined;
  }
}

/** The portal's URL once global setup has run; undefined before (the main process reads the config first). */
export function readBaseUrl(): string | undefined {
  return process.env.E2E_BASE_URL || readServerState()?.baseURL;
}

/** Last lines of the server log, for failure output. */
export function serverLogTail(lines = 60): string {
  try {
    const text = readFileSync(SERVER_LOG, "utf8");
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no server log)";
  }
}
