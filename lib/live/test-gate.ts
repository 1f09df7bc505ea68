import "server-only";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { getEnv } from "../env";

// End-to-end tests only: the live-update orderings (render, connect, publish) are forced, not hoped for.
// e2e/global-setup.ts sets E2E_LIVE_GATE_DIR for its server; nothing else does, and without it every gate is a
// no-op. A browser whose cookie `e2e_live_gate` reads `<name>.<stage>` has its live stream held at that stage:
// the server writes `<dir>/<name>.<stage>.reached` and waits until the test creates `<dir>/<name>.<stage>.release`
// (e2e/live-orderings.spec.ts). A held stream only delays its own caller's updates.

export type LiveGateStage = "connect" | "subscribe" | "ready";
export type LiveTestGate = (stage: Exclude<LiveGateStage, "connect">) => Promise<void>;

const COOKIE = /(?:^|;\s*)e2e_live_gate=([a-z0-9-]{1,40})\.(connect|subscribe|ready)(?:;|$)/;
const POLL_MS = 25;
const MAX_HOLD_MS = 60_000;

function gateDir(): string | null {
  return getEnv().E2E_LIVE_GATE_DIR ?? null;
}

/** Holds `request` at `stage` when the test gate is on and the caller's cookie asks for it; otherwise returns at once. */
export async function holdAtLiveGate(request: Request, stage: LiveGateStage): Promise<void> {
  const dir = gateDir();
  if (!dir) return;
  const match = COOKIE.exec(request.headers.get("cookie") ?? "");
  if (!match || match[2] !== stage) return;
  const base = path.join(dir, `${match[1]}.${stage}`);
  await writeFile(`${base}.reached`, new Date().toISOString());
  const deadline = Date.now() + MAX_HOLD_MS;
  while (!existsSync(`${base}.release`) && !request.signal.aborted && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The gate of a live stream's later stages, for LiveStreamOptions.testGate (undefined when the gate is off). */
export function liveTestGate(request: Request): LiveTestGate | undefined {
  return gateDir() ? (stage) => holdAtLiveGate(request, stage) : undefined;
}
