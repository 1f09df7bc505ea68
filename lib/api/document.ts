import "server-only";
import { publicBaseUrl } from "../env";
import { buildOpenApiDocument } from "./openapi";
import { API_OPERATIONS } from "./operations";

let cached: Record<string, unknown> | undefined;

/** The document as served and as the reference page renders it (built once per process). */
export function openApiDocument(): Record<string, unknown> {
  cached ??= buildOpenApiDocument(API_OPERATIONS, { serverUrl: publicBaseUrl() });
  return cached;
}
