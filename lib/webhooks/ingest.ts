import "server-only";
import { randomBytes } from "node:crypto";
import type { NewWebhookEvent, StoredDelivery } from "@/db/queries/webhook-events";
import type { Hub } from "@/db/schema";
import { AppError, PROBLEM_CONTENT_TYPE, problemOf, type ErrorCode } from "../errors";
import { cachedHubByPartnerId } from "../hub-config/cache";
import { getEnv } from "../env";
import { dedupKeyFor, externalIdsOf, parseWebhookBody, type WebhookEvent } from "../hub/events";
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from "../hub/webhook-signature";
import { webhookSecrets } from "../hub-config/secrets";
import { readBodyWithCap, type ReadBodyResult } from "../http/read-body";
import { getLogger } from "../log";
import { countUnverifiedWaiting, storeDelivery } from "./store";

type Logger = ReturnType<typeof getLogger>;

// The 360dialog partner webhook receiver: verify the raw bytes, store the delivery in the inbox, acknowledge.
// Nothing else happens in the request (docs/security.md R3): a job applies the event later.

const PARTNER_ID = /^[A-Za-z0-9_-]{1,64}$/;
// Everything the database does for one delivery, pool wait included, so the 503 lands inside 360dialog's 5 s (docs/security.md R4, F2).
const DATABASE_DEADLINE_MS = 3_000;
const RETRY_AFTER_SECONDS = "5";
const MISSING_SECRET_WARNING_INTERVAL_MS = 60_000;
const MAX_EVENT_CHARS = 200;
const MAX_HEADER_VALUE_CHARS = 2_048;
// Authorization, cookies, the signature, and custom auth headers a partner may attach to the webhook URL (docs/hub-contract.md §4.1).
const SECRET_HEADER = /auth|cookie|key|token|secret|signature|password/i;

export type IngestOutcome =
  | "stored"
  | "duplicate"
  | "ignored"
  | "bad_partner_id"
  | "too_large"
  | "timeout"
  | "aborted"
  | "unknown_hub"
  | "unverified_stored"
  | "unverified_duplicate"
  | "unverified_full"
  | "invalid_signature"
  | "unavailable";

/** The request headers as the receiver reads them: names lowercase, repeated values joined as web `Headers` joins them. */
export type DeliveryHeaders = {
  get(name: string): string | null;
  forEach(callback: (value: string, name: string) => void): void;
};

/** What the receiver needs from a delivery, whatever server carried it (the Next route or server.ts's fast path). */
export type Delivery = {
  partnerId: string;
  headers: DeliveryHeaders;
  /** Reads the body as raw bytes without ever holding more than `maxBytes` or waiting past `timeoutMs` (docs/security.md R2; read-body.ts). */
  readBody: (maxBytes: number, timeoutMs: number) => Promise<ReadBodyResult>;
};

/** The answer, transport-neutral: header names lowercase, body a JSON text. */
export type DeliveryResponse = { status: number; headers: Record<string, string>; body: string | null };

type Handled = { outcome: IngestOutcome; response: DeliveryResponse; partnerId?: string; event?: string };

const ACCEPTED: DeliveryResponse = Object.freeze({ status: 200, headers: Object.freeze({ "cache-control": "no-store", "content-type": "application/json" }), body: '{"ok":true}' });

/**
 * Each fixed refusal as the one error shape (problemOf), serialised once at load: a delivery costs no more than a
 * constant. Frozen, since every answer hands out the same object.
 */
function refusal(code: ErrorCode, detail: string, headers: Record<string, string> = {}): () => DeliveryResponse {
  const problem = problemOf(new AppError(code, detail));
  const answer = Object.freeze({
    status: problem.status,
    headers: Object.freeze({ "cache-control": "no-store", "content-type": PROBLEM_CONTENT_TYPE, ...headers }),
    body: JSON.stringify(problem),
  });
  return () => answer;
}

const notFound = refusal("not_found:partner", "not found");
const invalidSignature = refusal("unauthenticated:signature", "invalid signature");
const unavailable = refusal("unavailable", "temporarily unavailable", { "retry-after": RETRY_AFTER_SECONDS });
// The sender is too slow to be 360dialog (it gives up after 5 s): the connection is not worth keeping either.
const timedOut = refusal("timeout", "request timeout", { connection: "close" });
const tooLarge = refusal("too_large", "payload too large");
const cutOff = refusal("invalid", "bad request");

/**
 * What an unknown partner id's delivery is checked against: a well-formed id answers exactly as a known hub with a
 * wrong signature does, after the same HMAC work, so neither the answer nor its time tells which partners exist.
 * Random per process, never stored, and a match is refused all the same.
 */
const UNKNOWN_PARTNER_SECRETS: ReturnType<typeof webhookSecrets> = [{ secret: randomBytes(32).toString("base64"), label: "current" }];

const methodNotAllowed = refusal("method_not_allowed", "Send webhooks with a POST.", { allow: "POST" });

/** Any method but POST (docs/security.md R2). */
export function webhookMethodNotAllowed(): Response {
  const answer = methodNotAllowed();
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** The Next route's receiver: ingestDelivery() around a web Request. */
export async function ingestWebhook({ partnerId, request }: { partnerId: string; request: Request }): Promise<Response> {
  const answer = await ingestDelivery({
    partnerId,
    headers: request.headers,
    readBody: (maxBytes, timeoutMs) => readBodyWithCap(request, maxBytes, timeoutMs),
  });
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

export async function ingestDelivery(delivery: Delivery): Promise<DeliveryResponse> {
  const started = performance.now();
  const { log, deliveryLine } = webhookLoggers();
  let handled: Handled;
  try {
    handled = await handle(delivery, log);
  } catch (error) {
    // Unexpected: still a 503, so 360dialog keeps the delivery and retries.
    log.error({ err: describeError(error) }, "webhook delivery failed unexpectedly");
    handled = { outcome: "unavailable", response: unavailable() };
  }
  deliveryLine.info(
    {
      partnerId: handled.partnerId,
      event: handled.event,
      outcome: handled.outcome,
      status: handled.response.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    },
    "webhook delivery",
  );
  return handled.response;
}

async function handle({ partnerId, headers, readBody }: Delivery, log: Logger): Promise<Handled> {
  if (typeof partnerId !== "string" || !PARTNER_ID.test(partnerId)) return { outcome: "bad_partner_id", response: notFound() };

  const env = getEnv();
  const body = await readBody(env.WEBHOOK_MAX_BYTES, env.BODY_READ_TIMEOUT_MS);
  if (!body.ok && body.reason === "too_large") {
    return { outcome: "too_large", partnerId, response: tooLarge() };
  }
  if (!body.ok && body.reason === "timeout") return { outcome: "timeout", partnerId, response: timedOut() };
  if (!body.ok) return { outcome: "aborted", partnerId, response: cutOff() };
  const raw = body.bytes;

  return withinDeadline(DATABASE_DEADLINE_MS, async (): Promise<Handled> => {
    let hub: Hub | undefined;
    try {
      hub = await cachedHubByPartnerId(partnerId);
    } catch (error) {
      log.error({ partnerId, err: describeError(error) }, "webhook: hub lookup failed");
      return { outcome: "unavailable", partnerId, response: unavailable() };
    }
    if (!hub || !hub.platformSecretEnc) {
      verifyWebhookSignature({ rawBody: raw, header: headers.get(WEBHOOK_SIGNATURE_HEADER), secrets: UNKNOWN_PARTNER_SECRETS });
      if (!hub) return { outcome: "unknown_hub", partnerId, response: invalidSignature() };
      // No platform secret saved yet: nothing can be verified, so the delivery is kept as unverified and only a
      // job's question to the Partner API turns it into facts (docs/hub-settings.md §5).
      warnMissingSecret(hub, log);
      return storeUnverified(hub, raw, headers, log);
    }
    let secrets: ReturnType<typeof webhookSecrets>;
    try {
      secrets = openedSecrets(hub);
    } catch (error) {
      // Only our side can break this (APP_ENCRYPTION_KEY changed): 503 keeps the deliveries coming back.
      log.error({ partnerId, err: describeError(error) }, "webhook: the platform secret cannot be decrypted with APP_ENCRYPTION_KEY");
      return { outcome: "unavailable", partnerId, response: unavailable() };
    }
    const verified = verifyWebhookSignature({ rawBody: raw, header: headers.get(WEBHOOK_SIGNATURE_HEADER), secrets });
    // With a secret saved, a missing signature is refused like a wrong one: 360dialog documents the header on every
    // partner delivery (docs/hub-settings.md §5).
    if (!verified.ok) return { outcome: "invalid_signature", partnerId, response: invalidSignature() };
    // An archived hub's deliveries are stored all the same and held by their job until it is restored
    // (docs/hub-settings.md §6.6): whether 360dialog retries a refusal is not documented, so refusing would lose them.

    // Only now, with the bytes proven to come from 360dialog, is anything parsed (docs/security.md R1).
    // Decoded once, byte-order mark kept for the stored body; parsed without it, as parseWebhookBody(raw) would.
    const text = utf8.decode(raw);
    const parsed = parseWebhookBody(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    const event = parsed.kind === "invalid" ? "invalid" : storable(parsed.event, MAX_EVENT_CHARS);
    const row: NewWebhookEvent = {
      hubId: hub.id,
      dedupKey: dedupKeyFor(raw, parsed),
      event,
      rawBody: storable(text),
      headers: storableHeaders(headers),
      signatureResult: verified.matched === "current" ? "valid" : "valid_previous",
      // Signed but not an event object: kept for the record, acknowledged, never processed.
      status: parsed.kind === "invalid" ? "ignored" : "pending",
      ...externalIds(parsed),
    };

    let stored: StoredDelivery;
    try {
      stored = await storeDelivery(row);
    } catch (error) {
      log.error({ partnerId, event, err: describeError(error) }, "webhook: could not store the delivery");
      return { outcome: "unavailable", partnerId, event, response: unavailable() };
    }
    const outcome: IngestOutcome = !stored.inserted ? "duplicate" : stored.status === "ignored" ? "ignored" : "stored";
    return { outcome, partnerId, event, response: ACCEPTED };
  }).catch((error: unknown) => {
    log.error({ partnerId, err: describeError(error) }, "webhook: database work failed or did not finish in time");
    return { outcome: "unavailable" as const, partnerId, response: unavailable() };
  });
}

/**
 * Stores a delivery that cannot be verified (its hub has no platform secret): marked "unsigned", never applied as
 * sent; its `webhook.process` job asks the Partner API instead (lib/webhooks/confirm.ts). At most
 * UNVERIFIED_WAITING_CAP wait per hub, so a stranger who knows the partner id cannot fill the inbox: past it the
 * answer is 503 and a real sender retries later. Only this path pays for the count; the signed path is unchanged.
 */
async function storeUnverified(hub: Hub, raw: Uint8Array, headers: DeliveryHeaders, log: Logger): Promise<Handled> {
  const partnerId = hub.partnerId;
  // Parsed only for the ids it names and its event name; nothing in it is believed (docs/security.md R1, docs/hub-settings.md §5).
  const parsed = parseWebhookBody(raw);
  const event = parsed.kind === "invalid" ? "invalid" : storable(parsed.event, MAX_EVENT_CHARS);
  let stored: StoredDelivery;
  try {
    if ((await countUnverifiedWaiting(hub.id)) >= UNVERIFIED_WAITING_CAP) {
      log.warn({ partnerId, hubId: hub.id }, "webhook: too many unverified deliveries waiting; save the platform secret in Settings");
      return { outcome: "unverified_full", partnerId, event, response: unavailable() };
    }
    stored = await storeDelivery({
      hubId: hub.id,
      dedupKey: dedupKeyFor(raw, parsed),
      event,
      rawBody: storable(utf8.decode(raw)),
      headers: storableHeaders(headers),
      signatureResult: "unsigned",
      status: parsed.kind === "invalid" ? "ignored" : "pending",
      ...externalIds(parsed),
    });
  } catch (error) {
    log.error({ partnerId, event, err: describeError(error) }, "webhook: could not store the unverified delivery");
    return { outcome: "unavailable", partnerId, event, response: unavailable() };
  }
  return { outcome: stored.inserted ? "unverified_stored" : "unverified_duplicate", partnerId, event, response: ACCEPTED };
}

/** Unverified deliveries one hub may have waiting for their Partner API confirmation (docs/hub-settings.md §5). */
export const UNVERIFIED_WAITING_CAP = 1_000;

// Made once, not per delivery: a child logger and an AES-GCM decryption per delivery showed in the receiver's
// CPU profile (bench/README.md).

let childLoggers: { root: Logger; log: Logger; deliveryLine: Logger } | undefined;

/**
 * logger("webhooks"), made once per root logger (tests swap the root to capture lines); and the same child without
 * redaction for the one line every delivery writes, whose fields are fixed here (partnerId, event, outcome,
 * status, durationMs) and include no path docs/security.md R20 censors (lib/log.ts redactPaths; ingest.db.test.ts
 * checks). Redaction scans every line for those paths and cost six times the rest of writing it (bench/README.md).
 */
function webhookLoggers(): { log: Logger; deliveryLine: Logger } {
  const root = getLogger();
  if (childLoggers?.root !== root) {
    const log = root.child({ component: "webhooks" });
    childLoggers = { root, log, deliveryLine: root.child({ component: "webhooks" }, { redact: [] }) };
  }
  return childLoggers;
}

// Kept with the hub object lib/hub-config/cache.ts hands out (refreshed within 5 s, replaced at once by a save in this
// process), so a changed secret is picked up as before; the previous secret still stops counting at its expiry.
const openedByHub = new WeakMap<Hub, { secrets: ReturnType<typeof webhookSecrets>; until: number }>();

function openedSecrets(hub: Hub, now = Date.now()): ReturnType<typeof webhookSecrets> {
  const hit = openedByHub.get(hub);
  if (hit && now < hit.until) return hit.secrets;
  const secrets = webhookSecrets(hub, new Date(now));
  const previousUntil = hub.previousSecretExpiresAt?.getTime();
  openedByHub.set(hub, { secrets, until: previousUntil !== undefined && previousUntil > now ? previousUntil : Number.POSITIVE_INFINITY });
  return secrets;
}

// One promise and one timer around the work (each promise costs more with Next's async hooks in the process).
function withinDeadline<T>(milliseconds: number, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`database work exceeded ${milliseconds} ms`)), milliseconds);
    // A late result or failure after the deadline has already been answered with 503; nothing is left to tell.
    work().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function externalIds(parsed: WebhookEvent): Pick<NewWebhookEvent, "clientExternalId" | "channelExternalId"> {
  const { clientId, channelId } = externalIdsOf(parsed);
  return {
    clientExternalId: clientId === undefined ? null : storable(clientId),
    channelExternalId: channelId === undefined ? null : storable(channelId),
  };
}

/** Headers as received, minus anything that may carry a secret. */
export function storableHeaders(headers: DeliveryHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!SECRET_HEADER.test(name)) kept[name] = storable(value, MAX_HEADER_VALUE_CHARS);
  });
  return kept;
}

// PostgreSQL text refuses NUL and unpaired surrogates; a signed body that carries them must still be stored, not 503'd forever.
function storable(text: string, maxChars?: number): string {
  const cut = maxChars === undefined ? text : text.slice(0, maxChars);
  return cut.replaceAll("\u0000", "\uFFFD").toWellFormed();
}

// Keeps a leading byte-order mark: the stored body is the body as signed.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

const lastMissingSecretWarning = new Map<string, number>();

function warnMissingSecret(hub: Hub, log: Logger): void {
  const now = Date.now();
  const last = lastMissingSecretWarning.get(hub.id);
  if (last !== undefined && now - last < MISSING_SECRET_WARNING_INTERVAL_MS) return;
  lastMissingSecretWarning.set(hub.id, now);
  log.warn(
    { partnerId: hub.partnerId, hubId: hub.id },
    "webhook stored unverified: this hub has no platform secret, so no signature can be checked and each delivery is confirmed with the Partner API instead. Set the platform secret in Settings → Hub.",
  );
}

// The driver's error, never drizzle's wrapper (its message lists the statement's parameters: the body), with
// quoted values masked.
function describeError(error: unknown): { name: string; code?: string; message?: string } {
  let inner = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  if (!(inner instanceof Error)) return { name: typeof inner };
  const code = (inner as { code?: unknown }).code;
  return {
    name: inner.name,
    code: typeof code === "string" ? code : undefined,
    message: inner.message.replace(/"[^"]*"|'[^']*'/g, '"…"').slice(0, 200),
  };
}

