import "server-only";
import type { Executor } from "@/db/client";
import { upsertClient, type ClientFields } from "@/db/queries/client-store";
import { emitEvent } from "../events/emit";
import { publishChange } from "../live/publish";

/**
 * Stores what 360dialog said about a client (upsertClient), in the caller's transaction, and tells whoever listens:
 * the live views when it changed, the platform's events when it is new (docs/events.md §2).
 */
export async function storeClient(tx: Executor, hubId: string, client: ClientFields) {
  const result = await upsertClient({ db: tx, hubId, client });
  if (result.changed) await publishChange(tx, { topic: "client", id: result.client.id, hubId });
  if (result.created) await emitEvent(tx, { type: "client.created", hubId, subjectId: result.client.id, data: { external_id: result.client.externalId } });
  return result;
}
