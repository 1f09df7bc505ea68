import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { hostOf, resolvePublicAddresses } from "./url";

// One HTTP POST of a signed delivery (docs/outbound-webhooks.md §2): the host is resolved here and every address
// checked before connecting (the socket uses the checked address: no second lookup to rebind), no redirect is
// followed (a 3xx is a failure), and the whole exchange has one deadline.

export type PostResult = { status: number | null; requestId: string | null; latencyMs: number; error: string | null; retryAfterMs?: number };

const MAX_ANSWER_BYTES = 64 * 1024;

export async function postSigned(input: { url: string; headers: Record<string, string>; body: string; timeoutMs: number; allowPrivate: boolean }): Promise<PostResult> {
  const started = performance.now();
  const done = (status: number | null, requestId: string | null, error: string | null): PostResult => ({ status, requestId, error, latencyMs: Math.round(performance.now() - started) });
  const url = new URL(input.url);
  let addresses: { address: string; family: number }[];
  try {
    addresses = await resolvePublicAddresses(hostOf(url), input.allowPrivate);
  } catch (error) {
    return done(null, null, error instanceof Error ? error.message : String(error));
  }
  const first = addresses[0]!;
  // Connect to the address checked above, whatever the host name resolves to by now.
  const pinned: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, addresses);
    else callback(null, first.address, first.family);
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = send(
      url,
      {
        method: "POST",
        lookup: pinned,
        headers: { ...input.headers, "content-type": "application/json", "content-length": String(Buffer.byteLength(input.body)), "user-agent": "360dialog-partner-portal-webhooks/1" },
      },
      (res: IncomingMessage) => {
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        const requestId = headerValue(res.headers["x-request-id"]) ?? headerValue(res.headers["request-id"]);
        const retryAfterMs = retryAfterOf(headerValue(res.headers["retry-after"]));
        const status = res.statusCode ?? null;
        const error = status !== null && status >= 200 && status < 300 ? null : status !== null && status >= 300 && status < 400 ? `answered HTTP ${status} (redirects are not followed)` : `answered HTTP ${status}`;
        const result = () => ({ ...done(status, requestId, error), ...(retryAfterMs !== undefined && { retryAfterMs }) });
        res.on("end", () => finish(result()));
        res.on("close", () => finish(result()));
        res.on("error", () => finish(result()));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish(done(null, null, `no answer within ${input.timeoutMs} ms`));
    }, input.timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) => finish(done(null, null, error.code ? `${error.code}: ${error.message}` : error.message)));
    req.end(input.body);
  });
}

function headerValue(value: string | string[] | undefined): string | null {
  const one = Array.isArray(value) ? value[0] : value;
  return one ? one.slice(0, 200) : null;
}

/** `Retry-After` as seconds or an HTTP date (Standard Webhooks asks senders to take it into account), in ms. */
function retryAfterOf(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
