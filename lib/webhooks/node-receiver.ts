import "server-only";
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { filterInternalHeaders } from "next/dist/server/lib/server-ipc/utils.js";
import { logger } from "../log";
import { ingestWebhook } from "./ingest";

// The 360dialog webhook receiver served by server.ts before Next.js (issue 5: Next's own request handling
// doubled the portal's CPU per delivery; bench/README.md). The same ingestWebhook() as the Next route
// app/api/webhooks/360dialog/[partnerId]/route.ts; this adapter adds only what Next.js adds around that route, so
// answers, stored rows and log lines stay the same.
// Anything it does not recognise exactly goes on to Next.js untouched.

/**
 * Only a plain POST to the canonical path of a well-formed partner id, optionally with a query string (the route
 * ignores it). Trailing slashes, empty ids, encoded characters, dot segments, doubled slashes and every other
 * method fall through, so Next.js keeps its own answers for them (308, 404, 405 with Allow).
 */
const FAST_PATH = /^\/api\/webhooks\/360dialog\/([A-Za-z0-9_-]{1,64})(?:\?.*)?$/;

/**
 * Response headers next.config.ts `headers()` puts on every path. Keep in step with it:
 * node-receiver.test.ts compares this list with what next.config.ts returns for the webhook path.
 */
export const NEXT_CONFIG_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
};

// What Next.js sends on an App Router route response; Accept-Encoding comes from its compression of bodies.
const NEXT_VARY = "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch";

/** The partner id when this request is one the fast path serves, else null. */
export function fastPathPartnerId(method: string | undefined, url: string | undefined): string | null {
  if (method !== "POST" || url === undefined) return null;
  return FAST_PATH.exec(url)?.[1] ?? null;
}

export type FastPathOptions = {
  /** The port Next.js was given (next({ port })): it fills a missing X-Forwarded-Port with it. */
  port: number;
};

/**
 * Returns a handler that serves the request and returns true when it is a webhook delivery, or returns false
 * without touching the request so the caller hands it to Next.js.
 */
export function createWebhookFastPath(options: FastPathOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const partnerId = fastPathPartnerId(req.method, req.url);
    if (partnerId === null || !databaseOpened()) return false;
    let headers: Headers;
    try {
      headers = webHeaders(nextRequestHeaders(req, options.port));
    } catch (error) {
      // A header the web Headers class refuses: Next.js gets the request, untouched, and answers as it would.
      logger("webhooks").debug({ err: error instanceof Error ? error.message : "invalid header" }, "webhook fast path passed a request on to Next.js");
      return false;
    }
    const body = nodeBody(req);
    const request = new Request(`http://localhost${req.url ?? "/"}`, { method: "POST", headers, body: body.stream, duplex: "half" } as RequestInit);
    void ingestWebhook({ partnerId, request })
      .then((response) => send(res, response, req.complete))
      .catch((error: unknown) => {
        logger("webhooks").error({ err: error instanceof Error ? error.message : "failed" }, "webhook fast path could not answer");
        if (!res.headersSent && !res.destroyed) res.writeHead(500, { ...NEXT_CONFIG_HEADERS, "Cache-Control": "no-store" });
      })
      .then(() => body.drain(LINGER_MS))
      .finally(() => res.end());
    return true;
  };
}

// lib/db.ts keeps the process's one database handle on globalThis. Next's instrumentation (lib/boot.ts) opens it
// during app.prepare(); until it has, Next serves, so the handle is always made by Next's bundled copy of the
// database code, whose error classes the job runner recognises with instanceof.
const dbSlot = globalThis as unknown as { __portalDb?: Promise<unknown> };
const databaseOpened = () => dbSlot.__portalDb !== undefined;

/** req.headers as Next.js hands them to a route: its internal headers removed, X-Forwarded-* filled in if absent. */
export function nextRequestHeaders(req: IncomingMessage, port: number): IncomingHttpHeaders {
  const headers = { ...req.headers };
  filterInternalHeaders(headers);
  // As next/dist/server/base-server.js handleRequestImpl does (stored with the delivery's headers).
  const forwardedProto = headers["x-forwarded-proto"];
  const https = forwardedProto ? forwardedProto === "https" : Boolean((req.socket as { encrypted?: boolean }).encrypted);
  headers["x-forwarded-host"] ??= headers.host ?? "0.0.0.0";
  headers["x-forwarded-port"] ??= port ? String(port) : https ? "443" : "80";
  headers["x-forwarded-proto"] ??= https ? "https" : "http";
  headers["x-forwarded-for"] ??= req.socket.remoteAddress;
  return headers;
}

function webHeaders(source: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === "string") headers.append(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return headers;
}

type NodeBody = {
  stream: ReadableStream<Uint8Array>;
  /** Reads and drops what the sender still sends, until it is done or `timeoutMs` has passed. */
  drain(timeoutMs: number): Promise<void>;
};

/**
 * How long an answered request's unread remainder (a 413) is drained before the response ends. Ending it at once
 * lets Node close a non-keep-alive socket with unread bytes, and the reset can reach the sender before the 413.
 */
const LINGER_MS = 2_000;

/**
 * The request body as a web stream that reads from the socket only as fast as it is consumed, so the size cap
 * of read-body.ts holds without buffering (R2). When the receiver stops reading (a 413, a declared length over
 * the cap) the rest is drained and dropped once the answer is written, which keeps the connection usable.
 */
function nodeBody(req: IncomingMessage): NodeBody {
  let dropping = false;
  let settled = false;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const onData = (chunk: Buffer) => {
    if (dropping || settled) return;
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  };
  const onEnd = () => {
    if (dropping || settled) return;
    settled = true;
    controller.close();
  };
  const onFailure = () => {
    if (dropping || settled) return;
    settled = true;
    controller.error(new Error("request aborted"));
  };
  const onClose = () => {
    if (!req.complete) onFailure();
  };
  const drop = () => {
    dropping = true;
    req.resume();
  };
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
        req.on("data", onData);
        req.once("end", onEnd);
        req.on("error", onFailure);
        req.once("close", onClose);
      },
      pull() {
        req.resume();
      },
      cancel() {
        drop();
      },
    },
    { highWaterMark: 4 },
  );
  return {
    stream,
    drain(timeoutMs) {
      if (req.complete || req.destroyed) return Promise.resolve();
      drop();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        req.once("end", done);
        req.once("close", done);
      });
    },
  };
}

/** The answer as Next.js sends it (its response headers around the route's own); ended only if nothing is left to drain. */
async function send(res: ServerResponse, response: Response, complete: boolean): Promise<void> {
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : null;
  const headers: OutgoingHttpHeaders = { ...NEXT_CONFIG_HEADERS, Vary: body ? `${NEXT_VARY}, Accept-Encoding` : NEXT_VARY };
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (body) headers["content-length"] = body.byteLength;
  // The sender may be gone (aborted delivery): nothing is left to tell it.
  if (res.destroyed) return;
  res.writeHead(response.status, headers);
  if (complete) res.end(body ?? undefined);
  else if (body) res.write(body);
}
