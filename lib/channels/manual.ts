import "server-only";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { activateApiKey, claimApiKeyGrant, findApiKeyForGrant, markActiveKeyRevealed } from "@/db/queries/api-keys";
import { insertChannelEvent } from "@/db/queries/channel-events";
import { findChannelByExternalId, findChannelsByPhone, insertChannelIfAbsent } from "@/db/queries/channel-store";
import { findHubById } from "@/db/queries/hubs";
import type { Database } from "@/db/client";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { CHANNEL_STATUS_RANK } from "../hub/events";
import { isHubError } from "../hub/http";
import { createMessagingApi } from "../hub/messaging-api";
import { publishChange } from "../live/publish";
import { sealSecret } from "../secrets";
import type { MessagingApiFactory } from "./messaging";
import { fingerprintOf, grantIdFor, keyAad } from "./api-keys";
import { emitChannelChanges, saveChannel } from "./events";
import { storeClient } from "./store-client";

// Numbers from elsewhere: a client onboarded outside the portal (the Hub, another tool) brings its phone number
// and API key. The key is proven with one Messaging API call before anything is stored, then kept like a
// generated one (encrypted, masked, never shown again), so templates work for the number as for any other.

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const manualChannelSchema = z.object({
  hubId: z.uuid("Choose a hub."),
  phoneNumber: z
    .string()
    .trim()
    .transform((v) => v.replace(/[\s()./-]/g, ""))
    .pipe(z.string().regex(/^\+?[1-9]\d{7,14}$/, "Enter the number in international format, like +49 151 2345 6789.")),
  apiKey: z.string().trim().min(8, "Paste the number's full D360 API key.").max(500),
  externalId: z.preprocess(blank, z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, "360dialog channel IDs are letters and digits.").optional()),
  displayName: z.preprocess(blank, z.string().trim().max(100).optional()),
  clientName: z.preprocess(blank, z.string().trim().max(200).optional()),
  messagingBaseUrl: z.preprocess(blank, z.url("Enter a full URL, starting with https://.").max(500).optional()),
});

export type ManualChannelInput = z.infer<typeof manualChannelSchema>;

export async function addManualChannel(
  actor: Actor,
  input: ManualChannelInput,
  deps: { db?: Database; messagingApi?: MessagingApiFactory } = {},
): Promise<{ channelId: string }> {
  const db = deps.db ?? (await getDb());
  const hub = await findHubById({ db, id: input.hubId });
  if (!hub) throw new AppError("not_found:hub", "That hub does not exist.", { fieldErrors: { hubId: ["Choose a hub."] } });
  const phone = input.phoneNumber.startsWith("+") ? input.phoneNumber : `+${input.phoneNumber}`;
  const digits = phone.slice(1);
  const existing = await findChannelsByPhone({ db, hubId: hub.id, phoneNumbers: [phone, digits] });
  if (existing.length > 0) {
    throw new AppError("conflict:channel", "This number is already in the portal.", { fieldErrors: { phoneNumber: ["Already in the portal: open it from Channels."] } });
  }
  const externalId = input.externalId ?? `manual-${digits}`;
  if (await findChannelByExternalId({ db, hubId: hub.id, externalId })) {
    throw new AppError("conflict:channel", "A number with this channel ID is already in the portal.", { fieldErrors: { externalId: ["Already in the portal."] } });
  }

  const baseUrl = input.messagingBaseUrl ?? hub.messagingBaseUrl;
  const messaging = (deps.messagingApi ?? createMessagingApi)({ baseUrl, apiKey: input.apiKey });
  let accepted: boolean;
  try {
    accepted = await messaging.checkApiKey();
  } catch (error) {
    const why = isHubError(error) ? error.message : "no answer";
    throw new AppError("upstream:hub", `The Messaging API at ${new URL(baseUrl).host} could not be asked (${why}); nothing was stored. Try again, or check the address.`, { cause: error });
  }
  if (!accepted) {
    throw new AppError("invalid:api_key", "360dialog refused this API key; nothing was stored.", { fieldErrors: { apiKey: ["360dialog does not accept this key for the Messaging API."] } });
  }

  return db.transaction(async (tx) => {
    const { inserted } = await insertChannelIfAbsent({ db: tx, hubId: hub.id, externalId, source: "manual" });
    // Two operators adding the same number at once: the second finds the first's row and stops.
    if (!inserted) throw new AppError("conflict:channel", "This number was just added by someone else.", { fieldErrors: { phoneNumber: ["Already in the portal: open it from Channels."] } });
    const channel = await findChannelByExternalId({ db: tx, hubId: hub.id, externalId });
    if (!channel) throw new Error("manual channel vanished");
    const client = input.clientName
      ? (await storeClient(tx, hub.id, { externalId: `manual-${randomUUID()}`, name: input.clientName })).client
      : undefined;
    const now = new Date();
    await emitChannelChanges(tx, null, channel);
    await saveChannel(tx, channel, {
        phoneNumber: phone,
        displayName: input.displayName ?? null,
        clientId: client?.id ?? null,
        status: "running",
        statusRank: CHANNEL_STATUS_RANK.running,
        statusChangedAt: now,
        messagingBaseUrl: baseUrl,
        // The client handed its key over: that is the permission. The key answers the current grant, so the
        // lifecycle never generates another one (which would revoke the client's key at 360dialog, docs/security.md F6).
        permission: "granted",
        permissionChangedAt: now,
    });
    const grantId = grantIdFor(hub, { permissionChangedAt: now }) ?? `manual:${now.toISOString()}`;
    await claimApiKeyGrant({ db: tx, hubId: hub.id, channelId: channel.id, grantId, createdBy: actor.id });
    const claim = await findApiKeyForGrant({ db: tx, channelId: channel.id, grantId });
    if (!claim) throw new Error("manual key claim missing");
    const key = await activateApiKey({
      db: tx,
      id: claim.id,
      key: { keyVersion: 1, keyEnc: sealSecret(input.apiKey, keyAad(channel.id, 1)), last4: input.apiKey.slice(-4), fingerprint: fingerprintOf(input.apiKey), address: baseUrl, externalId: null },
    });
    // Staff typed the key themselves: it counts as seen, so it is never offered for a reveal.
    await markActiveKeyRevealed({ db: tx, channelId: channel.id, userId: actor.id });
    await insertChannelEvent({ db: tx, event: { hubId: hub.id, channelId: channel.id, event: "added_manually", status: "running", source: "manual", occurredAt: now } });
    await audit(
      tx,
      { actor, action: "channel.added_manually", targetType: "channel", targetId: channel.id, hubId: hub.id, detail: { last4: key.last4, fingerprint: key.fingerprint, externalId } },
    );
    await publishChange(tx, { topic: "channel", id: channel.id, hubId: hub.id, clientId: client?.id });
    return { channelId: channel.id };
  });
}
