import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { StoredDelivery } from "@/db/queries/webhook-events";
import type { Hub } from "@/db/schema";
import { getEnv } from "../env";
import { AppError, PROBLEM_CONTENT_TYPE, problemOf, type ErrorCode } from "../errors";
import { metaEventName, parseMetaWebhook, WABA_SECRET_HEADER } from "../hub/meta-events";
import { cachedHubById } from "../hub-config/cache";
import { WABA_PATH_TOKEN, wabaPathToken, wabaWebhookSecrets } from "../hub-config/secrets";
import { readBodyWithCap, type ReadBodyResult } from "../http/read-body";
import { logger } from "../log";
import { storableHeaders, UNVERIFIED_WAITING_CAP, type DeliveryHeaders } from "./ingest";
import { countUnverifiedWaiting, storeDelivery } from "./store";

// The receiver of each hub's WABA webhook, `POST /api/webhooks/waba/<hub id>[/<path token>]` (docs/waba-webhook.md §2).
// Meta's events come through 360dialog with no signature; what proves them is the hub's secret, set with
// `POST /waba_webhook` both as a header and (by default) as the URL's last segment, because whether 360dialog
// forwards custom headers on each delivery is not documented (§2.1). Each secret given is checked in constant
// time; a wrong one is refused. A delivery carrying none (a URL set before the secret moved into it, and a hub
// that dropped the header) is stored unverified and only confirmed through the Partner API, as partner deliveries
// without a platform secret are (docs/hub-settings.md §5). Storing is the partner receiver's one statement
// (lib/webhooks/store.ts, docs/security.md R3, R4, R5), and only its commit is acknowledged; when it cannot be
// stored the answer is 503, so 360dialog delivers it again.

const HUB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATABASE_DEADLINE_MS = 3_000;

type Answer = { status: number; headers: Record<string, string>; body: string };

function refusal(code: ErrorCode, detail: string, headers: Record<string, string> = {}): Answer {
  const problem = problemOf(new AppError(code, detail));
  return { status: problem.status, headers: { "cache-control": "no-store", "content-type": PROBLEM_CONTENT_TYPE, ...headers }, body: JSON.stringify(problem) };
}

const ACCEPTED: Answer = { status: 200, headers: { "cache-control": "no-store", "content-type": "application/json" }, body: '{"ok":true}' };
// Unknown hub and wrong secret answer alike, so the answer does not tell which hubs exist.
const unauthenticated = () => refusal("unauthenticated:waba_secret", "missing or wrong secret");
const unavailable = () => refusal("unavailable", "temporarily unavailable", { "retry-after": "5" });
// Compared against when there is nothing to compare with, so every refusal costs the same work.
const NO_SECRET = randomBytes(32).toString("base64url");

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Constant time in the secret's content; the lengths are hidden by comparing digests. */
export function wabaSecretMatches(given: string | null, expected: string | null): boolean {
  const ok = timingSafeEqual(digest(given ?? ""), digest(expected ?? NO_SECRET));
  return ok && given !== null && expected !== null;
}

/**
 * How a delivery proves itself: every secret it carries (header, path token) must match one of the hub's
 * (current, or previous during a rotation's overlap); "none" when it carries neither.
 */
export function wabaProof(candidates: string[], given: { header: string | null; pathToken: string | null }): "proven" | "wrong" | "none" {
  if (given.header === null && given.pathToken === null) return "none";
  const secrets = candidates.length > 0 ? candidates : [null];
  let header = given.header === null;
  let path = given.pathToken === null;
  for (const expected of secrets) {
    if (given.header !== null && wabaSecretMatches(given.header, expected)) header = true;
    if (given.pathToken !== null && wabaSecretMatches(given.pathToken, expected === null ? null : wabaPathToken(expected))) path = true;
  }
  return header && path && candidates.length > 0 ? "proven" : "wrong";
}

// Keeps a leading byte-order mark: the stored body is the body as sent, and it is forwarded as stored.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

export async function ingestWabaWebhook({ hubId, pathToken, request }: { hubId: string; pathToken?: string; request: Request }): Promise<Response> {
  const answer = await ingestWabaDelivery({ hubId, pathToken, headers: request.headers, readBody: (max, ms) => readBodyWithCap(request, max, ms) });
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

export async function ingestWabaDelivery({
  hubId,
  pathToken,
  headers,
  readBody,
}: {
  hubId: string;
  /** The URL's last segment after the hub id, when there is one (docs/waba-webhook.md §2.1). */
  pathToken?: string;
  headers: DeliveryHeaders;
  readBody: (maxBytes: number, timeoutMs: number) => Promise<ReadBodyResult>;
}): Promise<Answer> {
  const log = logger("webhooks");
  if (!HUB_ID.test(hubId)) return refusal("not_found:hub", "not found");
  const env = getEnv();
  const body = await readBody(env.WEBHOOK_MAX_BYTES, env.BODY_READ_TIMEOUT_MS);
  if (!body.ok) {
    if (body.reason === "too_large") return refusal("too_large", "payload too large");
    if (body.reason === "timeout") return refusal("timeout", "request timeout", { connection: "close" });
    return refusal("invalid", "bad request");
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Answer>((resolve) => {
    timer = setTimeout(() => resolve(unavailable()), DATABASE_DEADLINE_MS);
  });
  const work = store(hubId, pathToken ?? null, headers, body.bytes).catch((error: unknown) => {
    log.error({ hubId, err: error instanceof Error ? error.message.slice(0, 200) : "failed" }, "WABA webhook: could not store the delivery");
    return unavailable();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function store(hubId: string, pathToken: string | null, headers: DeliveryHeaders, raw: Uint8Array): Promise<Answer> {
  // Cached like the partner receiver's hub (5 s; a save or a secret rotation in this process clears it).
  const hub: Hub | undefined = await cachedHubById(hubId);
  // A segment that cannot be a token is a wrong secret, compared all the same so it costs what a real one does.
  const given = { header: headers.get(WABA_SECRET_HEADER), pathToken: pathToken === null ? null : WABA_PATH_TOKEN.test(pathToken) ? pathToken : "" };
  const proof = wabaProof(hub ? wabaWebhookSecrets(hub) : [], given);
  if (!hub || proof === "wrong") return unauthenticated();

  // Only now, with the sender proven or the delivery marked unverified, is anything parsed (docs/security.md R1).
  const text = utf8.decode(raw).replaceAll("\u0000", "\uFFFD").toWellFormed();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const meta = parseMetaWebhook(json);
  const unverified = proof === "none";
  if (unverified && (await countUnverifiedWaiting(hub.id)) >= UNVERIFIED_WAITING_CAP) {
    logger("webhooks").warn({ hubId }, "WABA webhook: too many unverified deliveries waiting; set the numbers' WABA webhooks again so the secret travels in the URL");
    return unavailable();
  }
  const stored: StoredDelivery = await storeDelivery(
    {
      hubId: hub.id,
      dedupKey: `sha256:${createHash("sha256").update(raw).digest("hex")}`,
      event: meta ? metaEventName(meta) : "invalid",
      rawBody: text,
      headers: storableHeaders(headers),
      // Without the secret: kept, never applied as sent; its job asks the Partner API instead (lib/webhooks/confirm.ts).
      signatureResult: unverified ? "unsigned" : "hub_secret",
      // Not in Meta's shape: kept for the record, acknowledged, never processed.
      status: meta ? "pending" : "ignored",
    },
    "waba",
  );
  logger("webhooks").info(
    { hubId, source: "waba", outcome: `${unverified ? "unverified_" : ""}${stored.inserted ? "stored" : "duplicate"}` },
    "WABA webhook delivery",
  );
  return ACCEPTED;
}
