import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { startSandbox, type SandboxOptions } from "./sandbox";

// Entry of the 360dialog sandbox: `tsx sandbox/server.ts [--port 8082] [--host 127.0.0.1] [--state-file f.json]
// [--seed-default] [--redirect-url URL] [--webhook-url URL] [--public-url URL] [--quiet]`. The only sandbox file
// that reads process.env (SANDBOX_PORT, SANDBOX_HOST, SANDBOX_STATE_FILE, SANDBOX_PUBLIC_URL, SANDBOX_SEED_DEFAULT,
// SANDBOX_REDIRECT_URL, SANDBOX_WEBHOOK_URL); flags win over the environment.

export { startSandbox } from "./sandbox";
export type { RunningSandbox, SandboxOptions } from "./sandbox";

const USAGE = `Usage: tsx sandbox/server.ts [options]
  --port <n>             port (env SANDBOX_PORT, default 8082; 0 = any free port)
  --host <h>             interface (env SANDBOX_HOST, default 127.0.0.1)
  --state-file <path>    persist state as JSON (env SANDBOX_STATE_FILE)
  --public-url <url>     base URL announced in API keys (env SANDBOX_PUBLIC_URL)
  --seed-default         seed partner sandboxPA (env SANDBOX_SEED_DEFAULT=1)
  --redirect-url <url>   redirect URL of the seeded partner (env SANDBOX_REDIRECT_URL)
  --webhook-url <url>    webhook URL of the seeded partner (env SANDBOX_WEBHOOK_URL)
  --quiet                print only the start line and errors`;

export function optionsFromCli(argv: string[], env: Record<string, string | undefined>): SandboxOptions & { quiet: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "state-file": { type: "string" },
      "public-url": { type: "string" },
      "seed-default": { type: "boolean" },
      "redirect-url": { type: "string" },
      "webhook-url": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.info(USAGE);
    process.exit(0);
  }
  const rawPort = values.port ?? env.SANDBOX_PORT ?? "8082";
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) throw new Error(`invalid port "${rawPort}"`);
  const seed = values["seed-default"] ?? ["1", "true", "yes"].includes((env.SANDBOX_SEED_DEFAULT ?? "").toLowerCase());
  const redirectUrl = values["redirect-url"] ?? env.SANDBOX_REDIRECT_URL;
  const webhookUrl = values["webhook-url"] ?? env.SANDBOX_WEBHOOK_URL;
  return {
    port,
    host: values.host ?? env.SANDBOX_HOST ?? "127.0.0.1",
    stateFile: values["state-file"] ?? env.SANDBOX_STATE_FILE,
    publicUrl: values["public-url"] ?? env.SANDBOX_PUBLIC_URL,
    seedDefault: seed ? { ...(redirectUrl ? { redirectUrl } : {}), ...(webhookUrl ? { webhookUrl } : {}) } : false,
    quiet: values.quiet ?? false,
  };
}

async function main(): Promise<void> {
  let options: ReturnType<typeof optionsFromCli>;
  try {
    options = optionsFromCli(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`[sandbox] ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const { quiet, ...rest } = options;
  const sandbox = await startSandbox({ ...rest, log: quiet ? () => {} : (m) => console.info(m) });
  console.info(`[sandbox] 360dialog sandbox listening on ${sandbox.url}${rest.seedDefault ? " (partner sandboxPA seeded)" : ""}`);
  if (!["127.0.0.1", "localhost", "::1"].includes(rest.host ?? "")) {
    console.warn(`[sandbox] warning: bound to ${rest.host ?? ""}; the control API /_sandbox/ has no authentication`);
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void sandbox.close().then(() => process.exit(0));
      setTimeout(() => process.exit(0), 3000).unref();
    });
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(path.resolve(entry)).href) {
  main().catch((error: unknown) => {
    console.error(`[sandbox] cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
