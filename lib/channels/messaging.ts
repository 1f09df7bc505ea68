import "server-only";
import { findActiveApiKey } from "@/db/queries/api-keys";
import type { Executor } from "@/db/client";
import type { Channel, Hub } from "@/db/schema";
import { AppError } from "../errors";
import { createMessagingApi, type MessagingApi } from "../hub/messaging-api";
import { openStoredKey } from "./api-keys";

export type MessagingApiFactory = (options: { baseUrl: string; apiKey: string }) => MessagingApi;

/**
 * The Messaging API as one number sees it: its active key, decrypted only here and only for the call, at the
 * address 360dialog gave with that key (docs/hub-contract.md §11.5), else the channel's or the hub's messaging base.
 */
export async function messagingApiForChannel(
  db: Executor,
  hub: Pick<Hub, "messagingBaseUrl">,
  channel: Pick<Channel, "id" | "messagingBaseUrl">,
  factory: MessagingApiFactory = createMessagingApi,
): Promise<MessagingApi> {
  const key = await findActiveApiKey({ db, channelId: channel.id });
  if (!key) throw new AppError("conflict:no_api_key", "This number has no API key stored yet, so the Messaging API cannot be used for it.");
  return factory({ baseUrl: key.address ?? channel.messagingBaseUrl ?? hub.messagingBaseUrl, apiKey: openStoredKey(key) });
}
