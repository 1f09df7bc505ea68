import { createServer } from "node:http";
import next from "next";
import { ConfigError, exportLibraryEnv, getEnv } from "./lib/env";
import { startDevSandbox } from "./lib/dev-sandbox";
import { CLIENT_IP_HEADER, resolveClientIp } from "./lib/http/client-ip";

// The portal's own HTTP server: `npm run dev` (with --dev) and `npm start`. It exists so the client address the
// login throttle sees is the real one (Next.js would pass a client-written X-Forwarded-For through untouched).

const dev = process.argv.includes("--dev");

function loadEnvOrExit() {
  try {
    return getEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`[portal] cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

const env = loadEnvOrExit();
exportLibraryEnv(env);
const sandbox = env.sandboxEnabled ? await startDevSandbox(env) : null;
const hostname = "0.0.0.0";
const app = next({ dev, hostname, port: env.PORT });
const handle = app.getRequestHandler();

await app.prepare();

const server = createServer((req, res) => {
  req.headers[CLIENT_IP_HEADER] = resolveClientIp(
    req.socket.remoteAddress,
    req.headers["x-forwarded-for"] as string | undefined,
    env.TRUST_PROXY_HOPS,
  );
  void handle(req, res);
});
if (dev) server.on("upgrade", app.getUpgradeHandler());

server.listen(env.PORT, hostname, () => {
  console.info(`[portal] ${dev ? "development" : "production"} server on http://localhost:${env.PORT} (database: ${env.dbDriver})`);
});

// The in-process job runner (lib/jobs/start.ts) keeps itself here; jobs in hand finish before the exit.
const jobs = globalThis as unknown as { __portalJobRunner?: Promise<{ stop(): Promise<void> } | null> };

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    sandbox?.kill("SIGTERM");
    setTimeout(() => process.exit(0), 10_000).unref();
    // Live-update streams never end on their own: give requests in flight 2 s, then close everything.
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
    server.close(() => {
      void (jobs.__portalJobRunner ?? Promise.resolve(null))
        .then((runner) => runner?.stop())
        .catch(() => undefined)
        .finally(() => process.exit(0));
    });
  });
}
