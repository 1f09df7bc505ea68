import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { publicBaseUrl, type Env } from "./env";

// Starts the local 360dialog sandbox beside the portal (npm run dev, or SANDBOX=on) as its own process, the way
// the real hub is a separate party. An already running sandbox on the same URL is reused.

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/_sandbox/health`, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function startDevSandbox(env: Env): Promise<ChildProcess | null> {
  if (await answers(env.sandboxUrl)) {
    console.info(`[portal] using the sandbox hub already running at ${env.sandboxUrl}`);
    return null;
  }
  const portal = publicBaseUrl(env);
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join("sandbox", "server.ts"),
      "--port",
      String(env.SANDBOX_PORT),
      "--state-file",
      path.join(env.DATA_DIR, "sandbox.json"),
      "--public-url",
      env.sandboxUrl,
      "--seed-default",
      "--redirect-url",
      `${portal}/onboarding/redirect`,
      "--webhook-url",
      `${portal}/api/webhooks/360dialog/sandboxPA`,
      "--quiet",
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  for (let i = 0; i < 100; i++) {
    if (await answers(env.sandboxUrl)) return child;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error(`[portal] the sandbox hub did not start at ${env.sandboxUrl}; onboarding will not work until it runs (npm run sandbox)`);
  return child;
}
