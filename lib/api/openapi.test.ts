import SwaggerParser from "@apidevtools/swagger-parser";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "./openapi";
import { API_OPERATIONS } from "./operations";
import { PUBLIC_EVENT_TYPES } from "../events/catalogue";

// The served document is a valid OpenAPI 3.1 description (checked by a maintained validator against the
// OpenAPI 3.1 schema, $refs resolved), and names every operation's scope and error answers.

describe("the OpenAPI document of /api/v1", () => {
  const document = buildOpenApiDocument(API_OPERATIONS, { serverUrl: "https://portal.example.com" });

  it("validates as OpenAPI 3.1 with every $ref resolving", async () => {
    const copy = structuredClone(document);
    await expect(SwaggerParser.validate(copy as never)).resolves.toBeTruthy();
  });

  it("documents 401, 403 and 429 for every operation, and 304 where it sends an ETag", () => {
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    for (const op of API_OPERATIONS) {
      const responses = paths[op.path]![op.method.toLowerCase()]!.responses;
      expect(Object.keys(responses)).toEqual(expect.arrayContaining([String(op.response.status), "401", "403", "429"]));
      expect("304" in responses).toBe(op.etag === true);
    }
  });

  it("fails validation when a response points at a schema that does not exist (the check can fail)", async () => {
    const broken = structuredClone(document) as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
    broken.paths["/api/v1/hubs"]!.get!.responses["200"]!.content!["application/json"]!.schema = { $ref: "#/components/schemas/Nope" };
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
    // And a shape the OpenAPI 3.1 schema forbids: a response without its required description.
    const shapeless = structuredClone(document) as { paths: Record<string, Record<string, { responses: Record<string, Record<string, unknown>> }>> };
    delete shapeless.paths["/api/v1/hubs"]!.get!.responses["401"]!.description;
    await expect(SwaggerParser.validate(shapeless as never)).rejects.toThrow();
  });

  it("lists every public event type, and only those, under `webhooks` with the resource its payload carries", () => {
    const webhooks = document.webhooks as Record<string, { post: { requestBody: { content: Record<string, { schema: { properties: { data: { properties: { object: unknown } } } } }> } } }>;
    expect(Object.keys(webhooks).sort()).toEqual([...PUBLIC_EVENT_TYPES].sort());
    expect(JSON.stringify(webhooks["channel.api_key.ready"]!.post.requestBody.content["application/json"]!.schema.properties.data.properties.object)).toContain("#/components/schemas/Channel");
  });
});
