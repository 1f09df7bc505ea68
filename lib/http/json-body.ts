import { getEnv } from "../env";
import { readBodyWithCap } from "./read-body";

// The one way a route handler reads a JSON body: never more than the handler's cap held in memory, given up when
// it has not arrived within BODY_READ_TIMEOUT_MS (so a trickling sender cannot hold a connection), and strict
// UTF-8. Each handler turns a failure into its own answer.

export type JsonBodyResult = { ok: true; data: unknown } | { ok: false; reason: "too_large" | "timeout" | "aborted" | "invalid_json" };

export async function readJsonRequest(request: Request, maxBytes: number): Promise<JsonBodyResult> {
  const body = await readBodyWithCap(request, maxBytes, getEnv().BODY_READ_TIMEOUT_MS);
  if (!body.ok) return body;
  try {
    return { ok: true, data: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body.bytes)) };
  } catch {
    return { ok: false, reason: "invalid_json" };
  }
}
