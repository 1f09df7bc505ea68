import "server-only";
import postgres from "postgres";
import type { DatabaseHandle } from "@/db/client";
import { getDatabaseHandle } from "../db";
import { getEnv } from "../env";
import { logger } from "../log";
import { processSlots } from "../process-slots";
import { liveChangeSchema } from "./change-schema";
import { LIVE_CHANNEL, type LiveChange } from "./types";

// One LISTEN per process, fanned out to every open stream in it. PostgreSQL delivers each NOTIFY to every
// listening session, so changes committed by any instance reach every instance.

/** Sent to listeners after the LISTEN connection came back: notifications in the gap are lost, so refetch. */
export type LiveResync = { topic: "resync" };
export type LiveSignal = LiveChange | LiveResync;
export type LiveListener = (signal: LiveSignal) => void;

export type LiveSource =
  | { driver: "postgres"; url: string }
  | { driver: "pglite"; listen: NonNullable<DatabaseHandle["listen"]> };

type Subscription = {
  ready: Promise<void>;
  close: () => Promise<void>;
  /** Whether a failed start keeps retrying by itself (postgres.js does); otherwise the next listener retries. */
  heals: () => boolean;
};

type LiveState = { listeners: Set<LiveListener>; subscription: Subscription | null };

// A process slot (lib/process-slots.ts): one LISTEN and one listener set, whichever module copy adds a listener.
declare module "../process-slots" {
  interface ProcessSlots {
    /** The live-update listeners and the LISTEN that feeds them. */
    live?: LiveState;
  }
}
const state: LiveState = (processSlots.live ??= { listeners: new Set(), subscription: null });

/** Adds a listener to the process-wide subscription (started on first use); returns its unsubscribe. */
export function onLiveChange(listener: LiveListener): () => void {
  state.listeners.add(listener);
  if (!state.subscription) {
    startLiveSubscription().catch((error: unknown) => {
      logger("live").warn({ err: error }, "live updates: could not start listening; retrying");
    });
  }
  return () => {
    state.listeners.delete(listener);
  };
}

/**
 * Starts the process-wide LISTEN (default: the portal's own database) and resolves once it is listening.
 * Idempotent; a second call with an explicit source while one runs is a bug and throws.
 */
export function startLiveSubscription(source?: LiveSource): Promise<void> {
  if (state.subscription) {
    if (source) throw new Error("live subscription already started");
    return state.subscription.ready;
  }
  const subscription = source ? listenOn(source) : listenOnDefault();
  state.subscription = subscription;
  subscription.ready.catch(() => {
    if (!subscription.heals() && state.subscription === subscription) state.subscription = null;
  });
  return subscription.ready;
}

/** Ends the process-wide LISTEN (shutdown, tests). Listeners stay registered for a later start. */
export async function stopLiveSubscription(): Promise<void> {
  const subscription = state.subscription;
  state.subscription = null;
  await subscription?.close();
}

export function liveListenerCount(): number {
  return state.listeners.size;
}

/** A notification as sent by publishChange, or null for anything else on the channel (ignored, never thrown). */
export function parseLiveNotification(payload: string): LiveChange | null {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return null;
  }
  const parsed = liveChangeSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

function dispatch(signal: LiveSignal): void {
  for (const listener of [...state.listeners]) {
    try {
      listener(signal);
    } catch (error) {
      logger("live").error({ err: error }, "live listener failed");
    }
  }
}

function onPayload(payload: string): void {
  const change = parseLiveNotification(payload);
  if (change) dispatch(change);
  else logger("live").warn({ bytes: payload.length }, "ignored a malformed live notification");
}

function listenOnDefault(): Subscription {
  // The database handle is opened asynchronously; close() must still work before it resolved.
  let resolved: Subscription | null = null;
  const inner = (async () => {
    const env = getEnv();
    if (env.dbDriver === "postgres") return (resolved = listenOn({ driver: "postgres", url: env.DATABASE_URL! }));
    const handle = await getDatabaseHandle();
    if (!handle.listen) throw new Error("this database handle cannot LISTEN");
    return (resolved = listenOn({ driver: "pglite", listen: handle.listen }));
  })();
  return {
    ready: inner.then((s) => s.ready),
    heals: () => resolved?.heals() ?? false,
    close: async () => {
      const s = await inner.catch(() => null);
      await s?.close();
    },
  };
}

function listenOn(source: LiveSource): Subscription {
  return source.driver === "postgres" ? listenOnPostgres(source.url) : listenOnPglite(source.listen);
}

function listenOnPglite(listen: NonNullable<DatabaseHandle["listen"]>): Subscription {
  // In-process database: no connection to lose, so no resync.
  const unlisten = listen(LIVE_CHANNEL, onPayload);
  return {
    ready: unlisten.then(() => undefined),
    heals: () => false,
    close: async () => {
      const stop = await unlisten.catch(() => null);
      await stop?.();
    },
  };
}

function listenOnPostgres(url: string): Subscription {
  const env = getEnv();
  // A connection of its own, not one from the query pool: LISTEN holds it for the life of the process.
  // postgres.js keeps it on a separate max-1 client and, when it drops, reconnects with backoff and LISTENs
  // again, calling onlisten each time.
  const sql = postgres(url, { max: 1, connect_timeout: env.DB_CONNECT_TIMEOUT_S, onnotice: () => {} });
  // A first LISTEN that failed is retried in the background as well, so that success also means "refetch".
  let listened = false;
  let missed = false;
  const onListen = () => {
    if (listened || missed) {
      logger("live").info("live updates: listening again after a lost connection");
      dispatch({ topic: "resync" });
    }
    listened = true;
    missed = false;
  };
  const ready = sql.listen(LIVE_CHANNEL, onPayload, onListen).then(
    () => undefined,
    (error: unknown) => {
      missed = true;
      throw error;
    },
  );
  return { ready, heals: () => true, close: () => sql.end({ timeout: 2 }) };
}
