import "server-only";
import { z } from "zod";
import { logger } from "../log";
import { liveTopicSchema } from "./change-schema";
import { onLiveChange, type LiveListener, type LiveSignal } from "./subscribe";
import type { LiveChange, LiveTopic } from "./types";

// Server-sent events for live views. Each open stream is one in-process listener on the process-wide LISTEN
// (subscribe.ts), so a thousand open dashboards cost one database connection, not a thousand.

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  // no-transform: keeps compression (Next.js's own, proxies) from buffering the stream.
  "Cache-Control": "no-store, no-transform",
  "X-Accel-Buffering": "no",
} as const;

export const HEARTBEAT_MS = 25_000;
export const RECHECK_MS = 60_000;
/** Events queued for a reader that does not read: past this the stream closes and the browser reconnects. */
const MAX_QUEUED_EVENTS = 500;

export type LiveStreamOptions = {
  /** The request's signal: the stream ends and its listener goes when the client disconnects. */
  signal: AbortSignal;
  /** Which changes this caller may and wants to see. Resync signals always pass. */
  filter: (change: LiveChange) => boolean;
  /** Called at most every RECHECK_MS while streaming; false (or a throw) ends the stream. */
  recheck: () => Promise<boolean>;
  heartbeatMs?: number;
  recheckMs?: number;
  /** Tests only: the subscription to listen on. */
  subscribe?: (listener: LiveListener) => () => void;
};

/**
 * A `text/event-stream` response of live changes: `event: change` with the change as JSON data (ids only),
 * `event: resync` after the server lost and regained its database subscription (refetch everything), and a
 * comment every HEARTBEAT_MS so proxies keep the connection open.
 *
 * Reuse it for any live view with its own authentication: check the caller first (answer 401 yourself), then
 * pass `filter` limited to what that caller may see (e.g. the client status page: changes whose `sessionId` is
 * the caller's onboarding session) and `recheck` re-validating the same credential (e.g. the session token
 * still exists and has not expired). Never pass a filter wider than the caller's own rows.
 */
export function liveStreamResponse(options: LiveStreamOptions): Response {
  return new Response(createLiveStream(options), { headers: SSE_HEADERS });
}

export function formatSseEvent(event: string, data: unknown): string {
  // JSON.stringify never emits a raw newline, so the data is always one `data:` line.
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, " ")}\n\n`;
}

export function createLiveStream(options: LiveStreamOptions): ReadableStream<Uint8Array> {
  const { signal, filter, recheck } = options;
  const subscribe = options.subscribe ?? onLiveChange;
  const encoder = new TextEncoder();
  let cleanup: () => void = () => {};

  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (signal.aborted) {
        controller.close();
        return;
      }
      let closed = false;
      let checking = false;

      const send = (text: string) => {
        if (closed) return;
        if ((controller.desiredSize ?? 0) < -MAX_QUEUED_EVENTS) close();
        else controller.enqueue(encoder.encode(text));
      };
      const unsubscribe = subscribe((change: LiveSignal) => {
        if (change.topic === "resync") send(formatSseEvent("resync", {}));
        else if (filter(change)) send(formatSseEvent("change", change));
      });
      const heartbeat = setInterval(() => send(formatSseComment("heartbeat")), options.heartbeatMs ?? HEARTBEAT_MS);
      const recheckTimer = setInterval(() => {
        if (checking || closed) return;
        checking = true;
        recheck()
          .then((allowed) => {
            if (!allowed) close();
          })
          .catch((error: unknown) => {
            logger("live").info({ err: error }, "live stream closed: the recheck failed");
            close();
          })
          .finally(() => {
            checking = false;
          });
      }, options.recheckMs ?? RECHECK_MS);

      function close() {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        clearInterval(recheckTimer);
        signal.removeEventListener("abort", close);
        unsubscribe();
        try {
          controller.close();
        } catch {
          // already closed or cancelled by the reader
        }
      }
      cleanup = close;
      signal.addEventListener("abort", close, { once: true });
      send(formatSseComment("connected"));
    },
    cancel() {
      cleanup();
    },
  });
}

const uuid = z.guid();

/** The query of a staff live stream: `topics=channel,client` (default all) and `hub=<uuid>`. */
export const liveQuerySchema = z.object({
  topics: z
    .string()
    .max(200)
    .optional()
    .transform((v) => (v ? v.split(",").map((t) => t.trim()).filter(Boolean) : []))
    .pipe(z.array(liveTopicSchema).max(20)),
  hub: uuid.optional(),
});

export function parseLiveQuery(params: URLSearchParams): ReturnType<typeof liveQuerySchema.safeParse> {
  return liveQuerySchema.safeParse({ topics: params.get("topics") ?? undefined, hub: params.get("hub") ?? undefined });
}

/**
 * Topics: none given means all. Hub: a change of another hub is dropped; a change without a hub (not tied to
 * one) passes, since refetching once too often is harmless and missing a change is not.
 */
export function liveChangeFilter(query: { topics: readonly LiveTopic[]; hub?: string }): (change: LiveChange) => boolean {
  const topics = new Set(query.topics);
  return (change) =>
    (topics.size === 0 || topics.has(change.topic)) && (!query.hub || !change.hubId || change.hubId === query.hub);
}
