import { z } from "zod";
import { API_TOKEN_SCOPES } from "@/db/schema";
import type { AnyOperation } from "./operation";
import { EVENT_CATALOGUE, PUBLIC_EVENT_TYPES, type EventSubject } from "../events/catalogue";
import { apiSchemas, problemSchema } from "./schemas";

// The OpenAPI 3.1 document of /api/v1, generated from the operations (lib/api/operations.ts) and the zod schemas
// they validate and answer with, by zod 4's own JSON Schema output (draft 2020-12, which OpenAPI 3.1 uses as
// its schema dialect). Why no extra library: docs/api.md "OpenAPI".

const REF = (id: string) => `#/components/schemas/${id}`;
type Json = Record<string, unknown>;

function strip(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

/** JSON Schema of one schema, components referenced by $ref (never inlined twice). */
function schemaOf(schema: z.ZodType, io: "input" | "output"): Json {
  const id = apiSchemas.get(schema)?.id;
  if (id) return { $ref: REF(id) };
  return strip(z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json);
}

function componentSchemas(): Record<string, Json> {
  // Components as answers ("output": defaults are filled) except request bodies, which are read as sent ("input").
  const out = z.toJSONSchema(apiSchemas, { io: "output", unrepresentable: "any", uri: REF }).schemas as Record<string, Json>;
  const inp = z.toJSONSchema(apiSchemas, { io: "input", unrepresentable: "any", uri: REF }).schemas as Record<string, Json>;
  const result: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(out)) result[id] = strip(/Create$|^TemplateDraft$/.test(id) ? inp[id]! : schema);
  return result;
}

function parameters(op: AnyOperation): Json[] {
  const list: Json[] = [];
  const add = (where: "path" | "query", shape: Record<string, z.ZodType>) => {
    for (const [name, schema] of Object.entries(shape)) {
      const json = schemaOf(schema, "input");
      const { description, ...rest } = json;
      list.push({ name, in: where, required: where === "path" || !schema.safeParse(undefined).success, ...(description ? { description } : {}), schema: rest });
    }
  };
  if (op.params) add("path", op.params.shape);
  if (op.query) add("query", op.query.shape);
  return list;
}

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: { $ref: REF("Problem") } } } });

function responses(op: AnyOperation): Json {
  const byStatus = new Map<number, string[]>();
  const note = (status: number, text: string) => byStatus.set(status, [...(byStatus.get(status) ?? []), text]);
  note(401, "`unauthenticated:token`: the token is missing, malformed, unknown, expired or revoked (one answer for all).");
  note(403, `\`forbidden:scope\`: the token lacks the \`${op.scope}\` scope (the problem's \`scope\` member names it).`);
  note(429, "`throttled:rate_limit`: the token's bucket is empty; wait `Retry-After` seconds.");
  for (const e of op.errors) note(e.status, `\`${e.code}\`: ${e.description}`);
  const success: Json = {
    description: op.response.description,
    content: { "application/json": { schema: schemaOf(op.response.schema, "output") } },
    ...(op.etag ? { headers: { ETag: { description: "Strong validator of this representation.", schema: { type: "string" } } } } : {}),
  };
  const out: Json = { [String(op.response.status)]: success };
  if (op.etag) out["304"] = { description: "Not modified: `If-None-Match` matched the current ETag." };
  for (const [status, texts] of [...byStatus.entries()].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      ...problem(texts.join(" ")),
      ...(status === 429 ? { headers: { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } } } } : {}),
    };
  }
  return out;
}

/** The component each event's `data.object` is (the subject as GET /api/v1/<subject>/{id} returns it). */
const SUBJECT_COMPONENT: Partial<Record<EventSubject, string>> = { client: "Client", channel: "Channel", template: "Template", onboarding_session: "OnboardingSession" };

/**
 * OpenAPI 3.1 top-level `webhooks`: one entry per public event type (lib/events/catalogue.ts), the Standard
 * Webhooks envelope the portal POSTs to an endpoint (docs/outbound-webhooks.md §3), its signature headers and
 * what the receiver should answer.
 */
export function webhooksSection(): Record<string, Json> {
  const header = (description: string) => ({ in: "header", required: true, description, schema: { type: "string" } });
  const out: Record<string, Json> = {};
  for (const type of PUBLIC_EVENT_TYPES) {
    const entry = EVENT_CATALOGUE[type];
    const component = SUBJECT_COMPONENT[entry.subject];
    out[type] = {
      post: {
        operationId: `event_${type.replaceAll(".", "_")}`,
        summary: type,
        description: `${entry.summary} Verify the signature with any Standard Webhooks library before trusting the body; de-duplicate on \`webhook-id\` (the event's \`id\`).`,
        tags: ["event"],
        parameters: [
          { name: "webhook-id", ...header("The event's id: the same on every retry and replay.") },
          { name: "webhook-timestamp", ...header("Seconds since the epoch when this attempt was signed; refuse stale ones (Standard Webhooks: 5 minutes).") },
          { name: "webhook-signature", ...header("Space-separated `v1,<base64 HMAC-SHA256>` signatures, one per secret in force (two during a rotation).") },
        ],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                required: ["id", "type", "timestamp", "hub_id", "data"],
                properties: {
                  id: { type: "string", format: "uuid", description: "The event's id (= `webhook-id`)." },
                  type: { const: type },
                  timestamp: { type: "string", format: "date-time", description: "When the event happened." },
                  hub_id: { type: ["string", "null"], format: "uuid" },
                  data: {
                    type: "object",
                    required: ["object"],
                    description: "What changed (snake_case, docs/events.md §2) beside `object`.",
                    properties: { object: component ? { oneOf: [{ $ref: REF(component) }, { type: "null" }], description: "The resource as the REST API returns it, when the event was dispatched." } : { type: "null" } },
                    additionalProperties: true,
                  },
                },
              },
            },
          },
        },
        responses: {
          "200": { description: "Any 2xx within 15 s (OUTBOUND_TIMEOUT_MS) acknowledges the event. Anything else, a redirect or a timeout is retried with exponential backoff and jitter for up to 3 days (a `Retry-After` asking for longer is honoured); 410 disables the endpoint." },
        },
      },
    };
  }
  return out;
}

export function buildOpenApiDocument(operations: readonly AnyOperation[], options: { serverUrl?: string } = {}): Json {
  void problemSchema; // registered on import; the document's error responses reference it
  const paths: Record<string, Json> = {};
  for (const op of operations) {
    const item = (paths[op.path] ??= {});
    item[op.method.toLowerCase()] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      security: [{ bearer: [op.scope] }],
      "x-scope": op.scope,
      parameters: parameters(op),
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(op.body, "input") } } } } : {}),
      responses: responses(op),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "360dialog partner portal API",
      version: "1",
      description:
        "The portal's REST API for the partner's own platform. Authenticate with `Authorization: Bearer ppt_…` (tokens are made by an admin in Settings → API tokens). Errors are RFC 9457 problem details with a machine-readable `code`. Lists are paged with opaque cursors (`next` → `after`). Single resources carry an `ETag`.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    paths,
    webhooks: webhooksSection(),
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "ppt_<43 base64url characters>",
          description: `Scopes: ${API_TOKEN_SCOPES.join(", ")}. Each operation names the one it needs (x-scope).`,
        },
      },
    },
  };
}
