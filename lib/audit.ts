import "server-only";
import { insertAuditEntry, type AuditInput } from "@/db/queries/audit";
import type { Executor } from "@/db/client";
import { getDb } from "./db";

export type Actor = { id: string; email: string };

/** Writes one audit_log row; pass the transaction so the entry commits with the change it describes. */
export async function audit(
  entry: Omit<AuditInput, "actorUserId" | "actorLabel"> & { actor: Actor | "system" },
  db?: Executor,
): Promise<void> {
  const { actor, ...rest } = entry;
  await insertAuditEntry({
    db: db ?? (await getDb()),
    entry: {
      ...rest,
      actorUserId: actor === "system" ? null : actor.id,
      actorLabel: actor === "system" ? "system" : actor.email,
    },
  });
}
