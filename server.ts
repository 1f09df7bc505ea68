import { createServer } from "node:http";
import { register } from "node:module";
import next from "next";
import { ConfigError, exportLibraryEnv, getEnv } from "./lib/env";
import { startDevSandbox } from "./lib/dev-sandbox";
import { CLIENT_IP_HEADER, resolveClientIp } from "./lib/http/client-ip";
import { dropForwardingHeaders } from "./lib/http/forwarded-headers";
import { guardAgainstPostgresDriverErrors } from "./lib/process-guards";
import { processSlots } from "./lib/process-slots";

// The portal's own HTTP server: `npm run dev` (with --dev) and `npm start`. It exists so the client address the
// login throttle sees is the real one and no client-written X-Forwarded-* header reaches Next.js when no proxy of
// ours is in front (Next.js would pass them through untouched and trust them), and so 360dialog's webhook
// deliveries are served before Next.js (its request handling doubled their CPU cost; bench/README.md).

// The lib modules this file loads itself start with `import "server-only"`, which throws outside a react-server
// build. Only that one specifier becomes an empty module, only for imports resolved after this line (none of
// Next's bundles import it at run time); how Next.js, React and everything else resolve stays as it was.
register(
  `data:text/javascript,${encodeURIComponent(
    'export async function resolve(specifier, context, next) { return specifier === "server-only" ? { url: "data:text/javascript,", shortCircuit: true } : next(specifier, context); }',
  )}`,
);

const dev = process.argv.includes("--dev");
// postgres.js 3.4.9's uncatchable errors when the database dies under a connection (porsager/postgres#1154, #1192)
// must not take the portal down: the receiver's pool and the shared one both reconnect (lib/process-guards.ts).
guardAgainstPostgresDriverErrors("portal");

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
if (dev) {
  // The light pages' scripts, which Next.js does not bundle (docs/nextjs.md §2): built now and on every change.
  // (`next build` makes them for production: next.config.ts.)
  const { buildLightIslands } = await import("./scripts/light-islands");
  const manifest = await buildLightIslands({ dev: true, watch: true });
  console.info(`[light] watching the light pages' scripts (${manifest.loader})`);
}
const app = next({ dev, hostname, port: env.PORT });
const handle = app.getRequestHandler();

await app.prepare();
// After prepare: Next's instrumentation has opened the database this receiver shares (lib/db.ts, lib/process-slots.ts).
const { createWebhookFastPath } = await import("./lib/webhooks/node-receiver");
const { closeReceiverPool } = await import("./lib/webhooks/receiver-db");
const webhookFastPath = createWebhookFastPath({ port: env.PORT });

// Node's own bounds, a backstop for every request (the routes that read small bodies themselves give up after
// BODY_READ_TIMEOUT_MS): headers within 10 s and the whole request within 30 s, else Node answers 408 and closes.
// Checked every second instead of every 30 s, so a trickling sender is cut off near the bound, not a minute later.
// Idle kept-alive connections stay open HTTP_KEEP_ALIVE_SECONDS (65 s), not Node's 5 s: a client or proxy that
// pools connections must close them first, else it may send a request on one the portal is closing that instant
// and get a reset (a proxy answers 502). Node starts headersTimeout at a request's first byte, not while idle.
const server = createServer(
  {
    headersTimeout: 10_000,
    requestTimeout: Math.max(30_000, env.BODY_READ_TIMEOUT_MS + 5_000),
    connectionsCheckingInterval: 1_000,
    keepAliveTimeout: env.HTTP_KEEP_ALIVE_SECONDS * 1_000,
  },
  (req, res) => {
    req.headers[CLIENT_IP_HEADER] = resolveClientIp(
      req.socket.remoteAddress,
      req.headers["x-forwarded-for"] as string | undefined,
      env.TRUST_PROXY_HOPS,
    );
    if (env.TRUST_PROXY_HOPS === 0) dropForwardingHeaders(req.headers);
    if (webhookFastPath(req, res)) return;
    void handle(req, res);
  },
);
if (dev) server.on("upgrade", app.getUpgradeHandler());

server.listen(env.PORT, hostname, () => {
  console.info(`[portal] ${dev ? "development" : "production"} server on http://localhost:${env.PORT} (database: ${env.dbDriver})`);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    sandbox?.kill("SIGTERM");
    setTimeout(() => process.exit(0), 10_000).unref();
    // Live-update streams never end on their own: give requests in flight 2 s, then close everything.
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
    server.close(() => {
      // The in-process job runner (lib/jobs/start.ts), if any: jobs in hand finish before the exit.
      void (processSlots.jobRunner ?? Promise.resolve(null))
        .then((runner) => runner?.stop())
        .catch(() => undefined)
        // Deliveries in flight were answered before server.close() called back; their pool goes last.
        .then(() => closeReceiverPool())
        .catch(() => undefined)
        .finally(() => process.exit(0));
    });
  });
}
