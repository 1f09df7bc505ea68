import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SandboxContext } from "./context";
import { registerControlApi } from "./control-api";
import { Faults } from "./faults";
import { messagePage } from "./html";
import { HttpError, Router, metaBody, sendHtml, sendJson, type RequestContext } from "./http-util";
import { registerIoPages } from "./io-pages";
import { Lifecycle } from "./lifecycle";
import { registerMessagingApi } from "./messaging-api";
import { registerMetaSdk } from "./meta-sdk";
import { registerPartnerApi } from "./partner-api";
import { DEFAULT_PARTNER, upsertPartner, type PartnerSeed } from "./partners";
import { Scheduler } from "./scheduler";
import { SandboxState } from "./state";
import { TemplateReview } from "./templates";
import type { SandboxConfig } from "./types";
import { WebhookDispatcher } from "./webhooks";

// startSandbox(): the whole sandbox in one node:http server, for the CLI (server.ts), tests and dev scripts.

export interface SandboxOptions {
  /** 0 picks a free port. Default 8082 (the port of 360dialog-connect-button's env="local"). */
  port?: number;
  host?: string;
  /** JSON file to load at start and write (debounced) after changes. */
  stateFile?: string;
  /** Base URL others should use (API-key `address`, SDK origin fallback); default http://host:port. */
  publicUrl?: string;
  now?: () => number;
  log?: (message: string) => void;
  /** Seed partner `sandboxPA` (true) or that partner with some fields overridden (object). */
  seedDefault?: boolean | Partial<PartnerSeed>;
  config?: Partial<SandboxConfig>;
  /** Randomness of fault injection (error rate, drops). */
  random?: () => number;
}

export interface RunningSandbox {
  /** Where the server listens, e.g. http://127.0.0.1:8082 */
  url: string;
  state: SandboxState;
  context: SandboxContext;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

function isApiPath(pathname: string): boolean {
  return pathname.startsWith("/api/") || pathname.startsWith("/v1/");
}

function sendError(res: ServerResponse, error: unknown, pathname: string, log: (m: string) => void): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error instanceof HttpError) {
    const headers = error.options.headers ?? {};
    if (error.options.html) sendHtml(res, error.status, String(error.body), headers);
    else sendJson(res, error.status, error.body, headers);
    return;
  }
  log(`[sandbox] internal error on ${pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  sendJson(res, 500, metaBody(500, "Internal sandbox error"));
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  const state = new SandboxState({ now: options.now ?? Date.now, stateFile: options.stateFile, config: options.config, log });
  if (state.load()) log(`[sandbox] loaded state from ${options.stateFile ?? ""}`);
  const scheduler = new Scheduler();
  const faults = new Faults((ms) => scheduler.sleep(ms), options.random);
  const webhooks = new WebhookDispatcher({ state, faults, scheduler, log });
  const lifecycle = new Lifecycle({ state, webhooks, scheduler });
  const templates = new TemplateReview({ state, scheduler, webhooks });
  let baseUrl = options.publicUrl?.replace(/\/+$/, "") ?? "";

  const seed = () => {
    if (!options.seedDefault) return;
    const overrides = typeof options.seedDefault === "object" ? options.seedDefault : {};
    upsertPartner(state, { ...DEFAULT_PARTNER, ...overrides });
  };
  const context: SandboxContext = {
    state,
    scheduler,
    webhooks,
    faults,
    lifecycle,
    templates,
    baseUrl: () => baseUrl,
    log,
    reset() {
      scheduler.clear();
      webhooks.stop();
      faults.set({});
      state.reset();
      seed();
    },
  };
  seed();

  const router = new Router();
  registerIoPages(router, context);
  registerPartnerApi(router, context);
  registerMessagingApi(router, context);
  registerMetaSdk(router, context);
  registerControlApi(router, context);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://sandbox.invalid");
    } catch {
      res.writeHead(400).end();
      return;
    }
    const started = performance.now();
    res.on("finish", () => log(`[sandbox] ${req.method ?? "?"} ${url.pathname} → ${res.statusCode} (${Math.round(performance.now() - started)} ms)`));
    const ctx: RequestContext = { req, res, url, params: {}, query: url.searchParams };
    const api = isApiPath(url.pathname);
    try {
      if (api) {
        const fault = await faults.beforeApiRequest(url.pathname);
        if (fault) throw fault;
      }
      const match = router.match(req.method ?? "GET", url.pathname);
      if (match === null) {
        if (api || url.pathname.startsWith("/_sandbox/")) throw new HttpError(404, metaBody(404, `No route for ${url.pathname}`));
        throw new HttpError(404, messagePage("Not found", `There is no page ${url.pathname} in the sandbox.`), { html: true });
      }
      if (match === "method_not_allowed") throw new HttpError(405, metaBody(405, `Method ${req.method ?? ""} not allowed here`));
      ctx.params = match.params;
      await match.handler(ctx);
    } catch (error) {
      sendError(res, error, url.pathname, log);
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8082, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${address.port}`;
  if (!baseUrl) baseUrl = url;

  let closed = false;
  return {
    url,
    state,
    context,
    async close() {
      if (closed) return;
      closed = true;
      scheduler.clear();
      webhooks.stop();
      state.flush();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
