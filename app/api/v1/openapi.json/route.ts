import { openApiDocument } from "@/lib/api/document";

export const dynamic = "force-dynamic";

/** The OpenAPI 3.1 document of /api/v1: public, it holds no secret (docs/api.md "OpenAPI"). */
export function GET() {
  return Response.json(openApiDocument(), { headers: { "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" } });
}
