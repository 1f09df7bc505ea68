import type pino from "pino";
import type { Sql } from "postgres";
import type { DatabaseHandle } from "@/db/client";
import type { Hub } from "@/db/schema";

// State that must exist once per process lives here, on globalThis, and nowhere else. Next.js may evaluate a module
// more than once in one process (instrumentation, route handlers, server components each get their copy), and
// server.ts's webhook fast path loads lib modules outside Next's bundle: a module-level variable would then be one
// per copy (a second PGlite opened on the same directory, a second job runner, a cache a settings save cannot clear).
// Every copy of this module reads the same object, so every copy of its users shares one value per slot.
//
// Only type imports here: server.ts reads a slot without loading the code that fills it. A slot whose type belongs
// to a feature folder (which imports this module) is declared by that folder through declaration merging, so the
// folder graph stays free of cycles (scripts/folder-cycles.ts); TypeScript refuses a second declaration of a slot
// with another type. Those slots: `jobRunner` (lib/jobs/start.ts) and `live` (lib/live/subscribe.ts).

/** Every process-wide slot and its one type; all start empty. */
export interface ProcessSlots {
  /** The process's database handle, opened and migrated once (lib/db.ts); tests install theirs (test/db/use-as-app-db.ts). */
  db?: Promise<DatabaseHandle>;
  /** The root logger (lib/log.ts); tests swap it to capture lines. */
  logger?: pino.Logger;
  /** Hub rows by partner id for the webhook receiver (lib/hub-config/cache.ts). */
  hubCache?: Map<string, { hub: Hub | undefined; until: number }>;
  /** The webhook receiver's own PostgreSQL pool and the URL it was opened for (lib/webhooks/receiver-db.ts). */
  receiverPool?: { url: string; sql: Sql };
}

const holder = globalThis as unknown as { __portalProcessSlots?: ProcessSlots };

/** The process's slots: the same object for every copy of this module. */
export const processSlots: ProcessSlots = (holder.__portalProcessSlots ??= {});
