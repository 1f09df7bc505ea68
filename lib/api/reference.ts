import "server-only";
import { openApiDocument } from "./document";

// The OpenAPI document flattened for the reference page (app/(dashboard)/dashboard/api): only what it shows.

export type RefSchema = { ref?: string; type?: string; format?: string; enum?: unknown[]; items?: RefSchema; anyOf?: RefSchema[] };
type Json = Record<string, unknown>;

function simplify(schema: unknown): RefSchema | undefined {
  if (!schema || typeof schema !== "object") return undefined;
  const s = schema as Json;
  if (typeof s.$ref === "string") return { ref: s.$ref.replace("#/components/schemas/", "") };
  if (Array.isArray(s.anyOf)) return { anyOf: s.anyOf.map(simplify).filter((x): x is RefSchema => x !== undefined) };
  if (Array.isArray(s.oneOf)) return { anyOf: s.oneOf.map(simplify).filter((x): x is RefSchema => x !== undefined) };
  const type = Array.isArray(s.type) ? s.type.join(" | ") : typeof s.type === "string" ? s.type : undefined;
  return {
    type,
    format: typeof s.format === "string" ? s.format : undefined,
    enum: Array.isArray(s.enum) ? s.enum : "const" in s ? [s.const] : undefined,
    items: s.items ? simplify(s.items) : undefined,
  };
}

export function apiReference() {
  const doc = openApiDocument() as {
    info: { title: string; version: string };
    paths: Record<string, Record<string, Json>>;
    components: { schemas: Record<string, Json> };
  };
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => {
      const responses = Object.entries(op.responses as Record<string, Json>).map(([status, r]) => {
        const content = r.content as Record<string, { schema: unknown }> | undefined;
        const schema = content ? Object.values(content)[0]?.schema : undefined;
        return { status, description: String(r.description ?? ""), schema: simplify(schema) };
      });
      const body = (op.requestBody as { content?: Record<string, { schema: unknown }> } | undefined)?.content?.["application/json"]?.schema;
      return {
        operationId: String(op.operationId),
        method: method.toUpperCase(),
        path,
        summary: String(op.summary ?? ""),
        description: typeof op.description === "string" ? op.description : undefined,
        scope: String(op["x-scope"] ?? ""),
        parameters: ((op.parameters as Json[]) ?? []).map((p) => ({
          name: String(p.name),
          in: String(p.in),
          required: p.required === true,
          description: typeof p.description === "string" ? p.description : "",
          schema: simplify(p.schema),
        })),
        body: simplify(body),
        responses,
      };
    }),
  );
  const schemas = Object.entries(doc.components.schemas).map(([name, schema]) => {
    const props = (schema.properties as Record<string, Json> | undefined) ?? {};
    const required = new Set((schema.required as string[] | undefined) ?? []);
    return {
      name,
      description: typeof schema.description === "string" ? schema.description : undefined,
      self: simplify(schema),
      properties: Object.entries(props).map(([prop, p]) => ({ name: prop, required: required.has(prop), schema: simplify(p), description: typeof p.description === "string" ? p.description : "" })),
    };
  });
  return { title: doc.info.title, version: doc.info.version, operations, schemas };
}
