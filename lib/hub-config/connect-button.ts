import type { Hub } from "@/db/schema";
import { IO_BASE_V1, IO_BASE_V2 } from "./defaults";

/** The official Connect Button knows fixed hosts only; this maps a hub's IO base to the package's `env`. */
export type ConnectButtonEnv = "local" | "prod";

const packageBases: Record<ConnectButtonEnv, Record<"v1" | "v2", string>> = {
  // 360dialog-connect-button 1.0.2, src/core/Dialog360Connect.ts: env "local" is the sandbox port 8082.
  local: { v1: "http://localhost:8082/dashboard/app", v2: "https://local.360dialog.io/onboarding" },
  prod: { v1: IO_BASE_V1, v2: IO_BASE_V2 },
};

export function connectButtonEnvFor(hub: Pick<Hub, "ioBaseUrl" | "ioVersion">): ConnectButtonEnv | null {
  const base = hub.ioBaseUrl.replace(/\/+$/, "");
  for (const env of ["local", "prod"] as const) {
    if (packageBases[env][hub.ioVersion] === base) return env;
  }
  return null;
}
