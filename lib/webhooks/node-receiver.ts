import "server-only";
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { filterInternalHeaders } from "next/dist/server/lib/server-ipc/utils.js";
import { logger } from "../log";
import { processSlots } from "../process-slots";
import { ingestDelivery, type DeliveryHeaders, type DeliveryResponse } from "./ingest";
import { ingestWabaDelivery } from "./waba-ingest";
import { declaredLength, type ReadBodyResult } from "../http/read-body";

// The 360dialog webhook receiver served by server.ts before Next.js (Next's own request handling
// doubled the portal's CPU per delivery; bench/README.md). The same ingestDelivery() as the Next route
// app/api/webhooks/360dialog/[partnerId]/route.ts, fed from Node's request and answering on Node's response with no
// web Request/Response in between (their conversion was the largest item left in the profile); this adapter adds
// only what Next.js adds around that route, so answers, stored rows and log lines stay the same.
// Anything it does not recognise exactly goes on to Next.js untouched.

/**
 * Only a plain POST to the canonical path of a well-formed partner id, optionally with a query string (the route
 * ignores it). Trailing slashes, empty ids, encoded characters, dot segments, doubled slashes and every other
 * method fall through, so Next.js keeps its own answers for them (308, 404, 405 with Allow).
 */
const FAST_PATH = /^\/api\/webhooks\/360dialog\/([A-Za-z0-9_-]{1,64})(?:\?.*)?$/;

/**
 * Response headers next.config.ts `headers()` puts on the webhook path (its rules for every path and for /api).
 * Keep in step with it: node-receiver.test.ts compares this list with what next.config.ts returns for the path.
 */
export const NEXT_CONFIG_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  "Cross-Origin-Opener-Policy": "same-origin",
};

// What Next.js sends on an App Router route response; Accept-Encoding comes from its compression of bodies.
const NEXT_VARY = "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch";

/** Each hub's WABA webhook (docs/waba-webhook.md §2): message traffic comes this way too, so it gets the fast path. */
const WABA_FAST_PATH = /^\/api\/webhooks\/waba\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/([0-9a-f]{64}))?(?:\?.*)?$/;

/** The hub id (and the secret's path token, docs/waba-webhook.md §2.1) when this request is a WABA webhook delivery the fast path serves, else null. */
export function fastPathWabaTarget(method: string | undefined, url: string | undefined): { hubId: string; pathToken?: string } | null {
  if (method !== "POST" || url === undefined) return null;
  const match = WABA_FAST_PATH.exec(url);
  if (!match) return null;
  return match[2] === undefined ? { hubId: match[1]! } : { hubId: match[1]!, pathToken: match[2] };
}

/** The hub id when this request is a WABA webhook delivery the fast path serves, else null. */
export function fastPathWabaHubId(method: string | undefined, url: string | undefined): string | null {
  return fastPathWabaTarget(method, url)?.hubId ?? null;
}

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
    const waba = partnerId === null ? fastPathWabaTarget(req.method, req.url) : null;
    if ((partnerId === null && waba === null) || !databaseOpened()) return false;
    const headers = deliveryHeaders(nextRequestHeaders(req, options.port));
    if (headers === null) {
      // A value the web Headers class refuses: Next.js gets the request, untouched, and answers as it would.
      logger("webhooks").debug({ err: "invalid header" }, "webhook fast path passed a request on to Next.js");
      return false;
    }
    const body = new NodeBody(req, headers);
    const answered = waba !== null ? ingestWabaDelivery({ ...waba, headers, readBody: body.read }) : ingestDelivery({ partnerId: partnerId!, headers, readBody: body.read });
    void respond(req, res, answered, body);
    return true;
  };
}

/** Writes the answer, drains what the sender still sends, ends the response; never rejects. */
async function respond(req: IncomingMessage, res: ServerResponse, answered: Promise<DeliveryResponse>, body: NodeBody): Promise<void> {
  try {
    send(res, await answered, req.complete);
  } catch (error) {
    logger("webhooks").error({ err: error instanceof Error ? error.message : "failed" }, "webhook fast path could not answer");
    if (!res.headersSent && !res.destroyed) res.writeHead(500, { ...NEXT_CONFIG_HEADERS, "Cache-Control": "no-store" });
  }
  // Most requests are complete by now: nothing to drain, and no promise made for it.
  if (!req.complete && !req.destroyed) await body.drain(LINGER_MS).catch(() => undefined);
  res.end();
}

// lib/db.ts keeps the process's one database handle in a process slot. Next's instrumentation (lib/boot.ts) opens it
// during app.prepare(); until it has, Next serves, so the handle is always made by Next's bundled copy of the
// database code, whose error classes the job runner recognises with instanceof.
const databaseOpened = () => processSlots.db !== undefined;

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

// Values web Headers refuses once trimmed (undici's isValidHeaderValue); Node's parser lets none through today.
const INVALID_VALUE = /[\0\r\n]/;
const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * Node's header record read the way the web Headers built from it before read it (stored rows unchanged): values
 * trimmed of HTTP whitespace, an array joined with ", ". Null when Headers would have refused a value.
 */
export function deliveryHeaders(source: IncomingHttpHeaders): DeliveryHeaders | null {
  const values = new Map<string, string>();
  for (const name of Object.keys(source)) {
    const value = source[name];
    let text: string;
    if (typeof value === "string") text = trimmed(value);
    else if (Array.isArray(value) && value.length > 0) text = value.map(trimmed).join(", ");
    else continue;
    if (INVALID_VALUE.test(text)) return null;
    values.set(name.toLowerCase(), text);
  }
  return new HeaderValues(values);
}

// Per-delivery objects here are class instances with methods, not literals of arrow functions: the production server
// runs under tsx, whose esbuild keeps function names by redefining `name` on every such arrow each time it is made,
// which cost the receiver about 8 µs a delivery (bench/README.md, "Webhook receiver").

class HeaderValues implements DeliveryHeaders {
  constructor(private readonly values: Map<string, string>) {}
  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }
  forEach(callback: (value: string, name: string) => void): void {
    this.values.forEach(callback);
  }
}

function trimmed(value: string): string {
  if (value === "") return value;
  return isHttpSpace(value.charCodeAt(0)) || isHttpSpace(value.charCodeAt(value.length - 1)) ? value.replace(HTTP_WHITESPACE, "") : value;
}

function isHttpSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * How long an answered request's unread remainder (a 413) is drained before the response ends. Ending it at once
 * lets Node close a non-keep-alive socket with unread bytes, and the reset can reach the sender before the 413.
 */
const LINGER_MS = 2_000;

/**
 * The request body read from the socket with the size cap of read-body.ts and nothing buffered past it (docs/security.md R2): a
 * declared length over the cap is refused before a byte is read, a streamed one as soon as it passes the cap.
 * What the receiver does not read (a 413) is drained and dropped once the answer is written, which keeps the
 * connection usable. A body still arriving at the deadline is given up: its 408 closes the connection instead,
 * since a sender that slow would only hold it longer.
 */
class NodeBody {
  private dropping = false;
  private timedOut = false;
  private settled = false;
  private chunks: Buffer[] = [];
  private total = 0;
  private resolve: ((result: ReadBodyResult) => void) | undefined;
  private deadline: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly headers: DeliveryHeaders,
  ) {
    // Handed to the receiver as a plain function.
    this.read = this.read.bind(this);
  }

  /** The body with read-body.ts's cap, deadline and results, read straight from the socket. */
  read(maxBytes: number, timeoutMs: number): Promise<ReadBodyResult> {
    const req = this.req;
    const declared = declaredLength(this.headers);
    if (declared !== null && declared > maxBytes) return Promise.resolve({ ok: false, reason: "too_large" });
    if (req.destroyed || req.readableAborted) return Promise.resolve({ ok: false, reason: "aborted" });
    return new Promise<ReadBodyResult>((resolve) => {
      this.resolve = resolve;
      // One timer per delivery, none per chunk (bench/webhook-ingest).
      this.deadline = setTimeout(() => {
        this.timedOut = true;
        this.drop();
        this.settle({ ok: false, reason: "timeout" });
      }, timeoutMs);
      req.on("data", (chunk: Buffer) => {
        if (this.dropping || this.settled) return;
        this.total += chunk.byteLength;
        if (this.total > maxBytes) {
          // Stop here; whatever the sender still has in flight is read and dropped, never buffered.
          this.dropping = true;
          this.settle({ ok: false, reason: "too_large" });
          return;
        }
        this.chunks.push(chunk);
      });
      req.once("end", () => this.settle({ ok: true, bytes: joined(this.chunks, this.total) }));
      req.on("error", () => this.settle({ ok: false, reason: "aborted" }));
      req.once("close", () => {
        if (!req.complete) this.settle({ ok: false, reason: "aborted" });
      });
    });
  }

  /** Reads and drops what the sender still sends, until it is done or `timeoutMs` has passed; not after a timeout. */
  drain(timeoutMs: number): Promise<void> {
    const req = this.req;
    if (req.complete || req.destroyed) return Promise.resolve();
    this.drop();
    if (this.timedOut) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      req.once("end", done);
      req.once("close", done);
    });
  }

  private settle(result: ReadBodyResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.deadline);
    this.chunks = [];
    this.resolve?.(result);
  }

  private drop(): void {
    this.dropping = true;
    this.req.resume();
  }
}

/** The chunks as one plain Uint8Array (not a Buffer: the receiver gets what read-body.ts gives it). */
function joined(chunks: Buffer[], total: number): Uint8Array {
  if (chunks.length === 1) {
    const only = chunks[0]!;
    return new Uint8Array(only.buffer, only.byteOffset, only.byteLength);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The answer as Next.js sends it (its response headers around the route's own); ended only if nothing is left to drain. */
function send(res: ServerResponse, answer: DeliveryResponse, complete: boolean): void {
  const body = answer.body === null ? null : Buffer.from(answer.body);
  const headers: OutgoingHttpHeaders = { ...NEXT_CONFIG_HEADERS, Vary: body ? `${NEXT_VARY}, Accept-Encoding` : NEXT_VARY, ...answer.headers };
  if (body) headers["content-length"] = body.byteLength;
  // The sender may be gone (aborted delivery): nothing is left to tell it.
  if (res.destroyed) return;
  res.writeHead(answer.status, headers);
  if (complete) res.end(body ?? undefined);
  else if (body) res.write(body);
}
