import "server-only";
import { createHash } from "node:crypto";
import type { z } from "zod";
import type { ApiTokenScope } from "@/db/schema";
import { AppError, fieldErrorsOf, isAppError } from "../errors";
import { errorResponse } from "../http/error-response";
import { readJsonRequest } from "../http/json-body";
import { authenticate, requireScope, RateLimited, type ApiCaller } from "./auth";

// One description per REST operation (docs/api.md): the route handler is made from it (auth, scope, parsing,
// serialising, ETag) and the OpenAPI document is generated from the same object (lib/api/openapi.ts), so the
// schemas a handler validates and answers with are the ones the document shows.

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

export type ProblemExtension = { status: number; code: string; description: string };

export type Operation<P extends z.ZodObject = z.ZodObject, Q extends z.ZodObject = z.ZodObject, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> = {
  operationId: string;
  method: Method;
  /** OpenAPI path, `{name}` for parameters: "/api/v1/channels/{id}". */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  scope: ApiTokenScope;
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer: status and schema (a registered component, lib/api/schemas.ts). */
  response: { status: 200 | 201; schema: R; description: string };
  /** Single resources answer with an ETag and honour If-None-Match (304). */
  etag?: boolean;
  /** Error answers this operation documents besides the common ones (401, 403, 429). */
  errors: readonly ProblemExtension[];
  run: (input: { caller: ApiCaller; params: z.output<P>; query: z.output<Q>; body: z.output<B>; request: Request }) => Promise<z.input<R>>;
};

export function defineOperation<P extends z.ZodObject, Q extends z.ZodObject, B extends z.ZodType, R extends z.ZodType>(op: Operation<P, Q, B, R>): Operation<P, Q, B, R> {
  return op;
}

// Some AnyOperation for lists: the generic parameters are erased where only the description is read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = Operation<any, any, any, any>;

export type RouteHandler = ((request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>) & { operation: AnyOperation };

const MAX_BODY_BYTES = 64 * 1024;

/** Strong ETag of the serialised body: equal bytes, equal tag. */
export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
}

/** RFC 9110 §13.1.2: If-None-Match holds a list of tags (weak comparison) or "*". */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((t) => t.trim().replace(/^W\//, "") === bare);
}

async function readBody(request: Request): Promise<unknown> {
  const body = await readJsonRequest(request, MAX_BODY_BYTES);
  if (body.ok) return body.data;
  if (body.reason === "too_large") throw new AppError("too_large", `The body is over ${MAX_BODY_BYTES / 1024} KiB.`);
  if (body.reason === "timeout") throw new AppError("timeout", "The request body took too long to arrive.");
  throw new AppError("invalid:json", "The body is not valid JSON.");
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, code: `invalid:${string}`, message: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError(code, message, { fieldErrors: fieldErrorsOf(parsed.error.issues, code.slice("invalid:".length)) });
  return parsed.data;
}

/** The route handler of one operation: `export const GET = apiRoute(listChannels)`. */
export function apiRoute(op: AnyOperation): RouteHandler {
  const handler = async (request: Request, ctx: { params: Promise<Record<string, string>> }): Promise<Response> => {
    const noStore = { "Cache-Control": "no-store" };
    try {
      const caller = await authenticate(request);
      requireScope(caller, op.scope);
      const rawParams = await ctx.params;
      // A malformed id names nothing: the same 404 as an unknown one.
      const params = op.params ? op.params.safeParse(rawParams) : { success: true as const, data: {} };
      if (!params.success) throw new AppError(`not_found:${op.tag}`, "No such resource.");
      const query = op.query ? parseOrThrow(op.query, Object.fromEntries(new URL(request.url).searchParams), "invalid:query", "Some query parameters are not valid.") : {};
      const body = op.body ? parseOrThrow(op.body, await readBody(request), "invalid:body", "Some fields are not valid; nothing was changed.") : undefined;
      const result = await op.run({ caller, params: params.data, query, body, request });
      // Serialised through the documented schema: what it does not name never leaves (keys, hashes, raw rows).
      const json = JSON.stringify(op.response.schema.parse(result));
      if (op.etag) {
        const etag = etagOf(json);
        const headers = { ETag: etag, "Cache-Control": "private, no-cache" };
        if (matchesIfNoneMatch(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
        return new Response(json, { status: op.response.status, headers: { ...headers, "Content-Type": "application/json" } });
      }
      return new Response(json, { status: op.response.status, headers: { ...noStore, "Content-Type": "application/json" } });
    } catch (error) {
      const headers: Record<string, string> = {};
      if (error instanceof RateLimited) headers["Retry-After"] = String(error.retryAfterSeconds);
      if (isAppError(error) && error.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="api"';
      const extensions = isAppError(error) && error.code === "forbidden:scope" ? { scope: op.scope } : {};
      return errorResponse(error, { where: `api:${op.operationId}`, headers, extensions: { ...extensions, ...((error as { extensions?: Record<string, unknown> }).extensions ?? {}) } });
    }
  };
  return Object.assign(handler, { operation: op });
}

/** An AppError carrying RFC 9457 extension members (a template's findings). */
export class ProblemWith extends AppError {
  readonly extensions: Record<string, unknown>;
  constructor(code: ConstructorParameters<typeof AppError>[0], message: string, extensions: Record<string, unknown>) {
    super(code, message);
    this.extensions = extensions;
  }
}
