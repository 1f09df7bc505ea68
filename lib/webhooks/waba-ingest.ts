import "server-only";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { limitStatementTime } from "@/db/queries/webhook-events";
import { findHubForWabaWebhook, insertWabaDelivery } from "@/db/queries/waba-webhook";
import type { Hub } from "@/db/schema";
import { getDb } from "../db";
import { getEnv } from "../env";
import { AppError, PROBLEM_CONTENT_TYPE, problemOf, type ErrorCode } from "../errors";
import { metaEventName, parseMetaWebhook, WABA_SECRET_HEADER } from "../hub/meta-events";
import { wabaWebhookSecrets } from "../hub-config/secrets";
import { readBodyWithCap, type ReadBodyResult } from "../http/read-body";
import { enqueueJob } from "../jobs/enqueue";
import { WEBHOOK_PROCESS_JOB, webhookJobKey } from "../jobs/kinds";
import { publishChange } from "../live/publish";
import { logger } from "../log";
import { storableHeaders, type DeliveryHeaders } from "./ingest";
import { RECEIVER_STATEMENT_TIMEOUT_MS } from "./receiver-db";

// The receiver of each hub's WABA webhook, `POST /api/webhooks/waba/<hub id>` (docs/waba-webhook.md §2). Meta's
// events come through 360dialog with no signature; what proves them is the secret header the portal set with
// `POST /waba_webhook`, compared in constant time. As with the partner webhook (docs/security.md R3, R4, R5): the delivery is stored
// in the inbox (source `waba`, deduplicated on its bytes) with its processing job, and only then acknowledged;
// when it cannot be stored the answer is 503, so 360dialog delivers it again.

const HUB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATABASE_DEADLINE_MS = 3_000;

type Answer = { status: number; headers: Record<string, string>; body: string };

function refusal(code: ErrorCode, detail: string, headers: Record<string, string> = {}): Answer {
  const problem = problemOf(new AppError(code, detail));
  return { status: problem.status, headers: { "cache-control": "no-store", "content-type": PROBLEM_CONTENT_TYPE, ...headers }, body: JSON.stringify(problem) };
}

const ACCEPTED: Answer = { status: 200, headers: { "cache-control": "no-store", "content-type": "application/json" }, body: '{"ok":true}' };
// Unknown hub, hub without a secret and wrong secret answer alike, so the answer does not tell which hubs exist.
const unauthenticated = () => refusal("unauthenticated:waba_secret", "missing or wrong secret header");
const unavailable = () => refusal("unavailable", "temporarily unavailable", { "retry-after": "5" });
// Compared against when there is nothing to compare with, so every refusal costs the same work.
const NO_SECRET = randomBytes(32).toString("base64url");

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Constant time in the secret's content; the lengths are hidden by comparing digests. */
export function wabaSecretMatches(given: string | null, expected: string | null): boolean {
  const ok = timingSafeEqual(digest(given ?? ""), digest(expected ?? NO_SECRET));
  return ok && given !== null && expected !== null;
}

// Keeps a leading byte-order mark: the stored body is the body as sent, and it is forwarded as stored.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

export async function ingestWabaWebhook({ hubId, request }: { hubId: string; request: Request }): Promise<Response> {
  const answer = await ingestWabaDelivery({ hubId, headers: request.headers, readBody: (max, ms) => readBodyWithCap(request, max, ms) });
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

export async function ingestWabaDelivery({
  hubId,
  headers,
  readBody,
}: {
  hubId: string;
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
  const work = store(hubId, headers, body.bytes).catch((error: unknown) => {
    log.error({ hubId, err: error instanceof Error ? error.message.slice(0, 200) : "failed" }, "WABA webhook: could not store the delivery");
    return unavailable();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function store(hubId: string, headers: DeliveryHeaders, raw: Uint8Array): Promise<Answer> {
  const db = await getDb();
  const hub: Hub | undefined = await findHubForWabaWebhook({ db, id: hubId });
  // The current secret and, during a rotation's overlap, the previous one; every candidate is compared.
  const candidates: (string | null)[] = hub ? wabaWebhookSecrets(hub) : [];
  const given = headers.get(WABA_SECRET_HEADER);
  let matched = false;
  for (const expected of candidates.length > 0 ? candidates : [null]) if (wabaSecretMatches(given, expected)) matched = true;
  if (!matched || !hub) return unauthenticated();

  // Only now, with the sender proven, is anything parsed (docs/security.md R1).
  const text = utf8.decode(raw).replaceAll("\u0000", "\uFFFD").toWellFormed();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const meta = parseMetaWebhook(json);
  const stored = await db.transaction(async (tx) => {
    await limitStatementTime({ db: tx, milliseconds: RECEIVER_STATEMENT_TIMEOUT_MS });
    const row = await insertWabaDelivery({
      db: tx,
      row: {
        hubId: hub.id,
        dedupKey: `sha256:${createHash("sha256").update(raw).digest("hex")}`,
        event: meta ? metaEventName(meta) : "invalid",
        rawBody: text,
        headers: storableHeaders(headers),
        // Not in Meta's shape: kept for the record, acknowledged, never processed.
        status: meta ? "pending" : "ignored",
      },
    });
    if (row.inserted && row.status === "pending") await enqueueJob(tx, { kind: WEBHOOK_PROCESS_JOB, payload: { webhookEventId: row.id }, uniqueKey: webhookJobKey(row.id) });
    if (row.inserted) await publishChange(tx, { topic: "webhook", id: row.id, hubId: hub.id });
    return row;
  });
  logger("webhooks").info({ hubId, source: "waba", outcome: stored.inserted ? "stored" : "duplicate" }, "WABA webhook delivery");
  return ACCEPTED;
}
