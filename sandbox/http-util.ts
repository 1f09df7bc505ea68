import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";

// A small router and the response helpers every sandbox module shares. No framework: node:http only.

export const MAX_BODY_BYTES = 256 * 1024;

/** Thrown by handlers; the server turns it into the response. `html` bodies are sent as pages. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly options: { html?: boolean; headers?: Record<string, string> } = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** The Partner API error envelope (docs/hub-contract.md §5.5). */
export function metaBody(status: number, message: string, details: string[] = []) {
  return { meta: { success: false, http_code: status, developer_message: message, details } };
}

export function metaError(status: number, message: string, details: string[] = []): HttpError {
  return new HttpError(status, metaBody(status, message, details));
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  query: URLSearchParams;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export type RouteMatch = { handler: Handler; params: Record<string, string> } | "method_not_allowed" | null;

function splitPath(pathname: string): string[] {
  return pathname.split("/").filter((s) => s !== "");
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method: method.toUpperCase(), segments: splitPath(pattern), handler });
    return this;
  }

  match(method: string, pathname: string): RouteMatch {
    const parts = splitPath(pathname);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method || (method === "HEAD" && route.method === "GET")) return { handler: route.handler, params };
      pathMatched = true;
    }
    return pathMatched ? "method_not_allowed" : null;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? "";
    const part = parts[i] ?? "";
    if (p.startsWith(":")) {
      try {
        params[p.slice(1)] = decodeURIComponent(part);
      } catch {
        return null;
      }
    } else if (p !== part) {
      return null;
    }
  }
  return params;
}

/** Reads the whole body, refusing more than `limit` bytes with a 413 before buffering it all. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, metaBody(413, `request body larger than ${limit} bytes`), { headers: { connection: "close" } });
  if (Number(req.headers["content-length"] ?? "0") > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      // Stop buffering but keep draining, so the 413 can still be written on this connection.
      req.off("data", onData);
      req.off("end", onEnd);
      req.resume();
      reject(tooLarge());
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", reject);
  });
}

/** Parses a JSON body; an empty body reads as `{}`. `onInvalid` builds the module's own error shape. */
export async function readJson(ctx: RequestContext, onInvalid: (message: string) => HttpError): Promise<unknown> {
  const raw = (await readBody(ctx.req)).toString("utf8");
  if (raw.trim() === "") return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw onInvalid("request body is not valid JSON");
  }
}

export async function readForm(ctx: RequestContext): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(ctx.req)).toString("utf8"));
}

export function zodIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message));
}

/** Validates with zod; failures become a 400 in the Partner API `meta` shape unless `onInvalid` says otherwise. */
export function parseOr<T>(
  schema: z.ZodType<T>,
  value: unknown,
  onInvalid: (details: string[]) => HttpError = (details) => metaError(400, "Wrong payload", details),
): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw onInvalid(zodIssues(parsed.error));
  return parsed.data;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    ...headers,
  });
  res.end(html);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(text);
}

export function sendRedirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, "cache-control": "no-store", "referrer-policy": "no-referrer" });
  res.end();
}

export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}
