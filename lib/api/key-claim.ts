import "server-only";
import { markActiveKeyClaimed } from "@/db/queries/api-resources";
import { findCurrentApiKey } from "@/db/queries/api-keys";
import { findChannelById } from "@/db/queries/channel-store";
import type { Database } from "@/db/client";
import { audit } from "../audit";
import { openStoredKey } from "../channels/api-keys";
import { getDb } from "../db";
import { AppError } from "../errors";
import { publishChange } from "../live/publish";
import { requireVisible, type ApiCaller } from "./auth";

// Key hand-over (docs/api.md "Claiming a key"): the partner's platform takes a number's key once. The
// claim and the dashboard's "show once" (revealApiKey in lib/channels/api-keys.ts) stamp the same column,
// api_keys.revealed_at, each in one conditional UPDATE, so whichever comes first wins and the other is refused
// (docs/security.md R19). Both are audited with who (token or user) and when.

export type ClaimedKey = { channelId: string; apiKey: string; address: string | null; last4: string | null; version: number };

export async function claimApiKey(caller: ApiCaller, channelId: string, deps: { db?: Database } = {}): Promise<ClaimedKey> {
  const db = deps.db ?? (await getDb());
  const who = { tokenId: caller.tokenId, tokenName: caller.tokenName };
  const channel = await findChannelById({ db, id: channelId });
  try {
    if (!channel) throw new AppError("not_found:channel", "No such number.");
    requireVisible(caller, channel.hubId, "channel", "No such number.");
    return await db.transaction(async (tx) => {
      const key = await markActiveKeyClaimed({ db: tx, channelId, ownerId: caller.actor.id, tokenId: caller.tokenId });
      if (!key) {
        const current = await findCurrentApiKey({ db: tx, channelId });
        if (current?.status === "active") {
          throw new AppError("gone:api_key_claimed", "This key was already handed over once (claimed through the API or shown in the dashboard). Regenerate it in the dashboard to get a new one.");
        }
        if (current?.status === "pending" || current?.status === "failed") throw new AppError("conflict:api_key_pending", "The key of this number is being generated; claim it when the channel shows waiting_to_be_claimed.");
        throw new AppError("not_found:api_key", "This number has no API key.");
      }
      await audit(
        tx,
        {
          actor: caller.actor,
          action: "api_key.claimed",
          targetType: "channel",
          targetId: channelId,
          hubId: key.hubId,
          detail: { ...who, keyVersion: key.keyVersion, last4: key.last4 },
        },
      );
      await publishChange(tx, { topic: "api_key", id: key.id, hubId: key.hubId });
      await publishChange(tx, { topic: "channel", id: channelId, hubId: key.hubId, clientId: channel.clientId ?? undefined });
      return { channelId, apiKey: openStoredKey(key), address: key.address, last4: key.last4, version: key.keyVersion };
    });
  } catch (error) {
    // Every use of the keys scope is in the audit log, the refused ones too (docs/api.md).
    if (error instanceof AppError) {
      // A number of a hub the token may not see is logged without its hub, as the caller was answered.
      const hubId = channel && (!caller.hubId || caller.hubId === channel.hubId) ? channel.hubId : undefined;
      await audit(db, { actor: caller.actor, action: "api_key.claim_refused", targetType: "channel", targetId: channelId, hubId, detail: { ...who, code: error.code } });
    }
    throw error;
  }
}
