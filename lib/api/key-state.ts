import "server-only";
import { listCurrentKeyStates } from "@/db/queries/api-resources";
import { getDb } from "../db";
import { keyStateOf } from "./serialise";

/** Who took a number's one key reveal and when (the dashboard's channel page; the API's apiKey.claimedBy). */
export async function keyHandOver(channelId: string): Promise<{ at: Date; kind: "user" | "api_token"; label: string } | null> {
  const [row] = await listCurrentKeyStates({ db: await getDb(), channelIds: [channelId] });
  const state = keyStateOf(row);
  if (state.state !== "claimed" || !state.claimedBy || !state.claimedAt) return null;
  return { at: new Date(state.claimedAt), kind: state.claimedBy.kind, label: state.claimedBy.label };
}
