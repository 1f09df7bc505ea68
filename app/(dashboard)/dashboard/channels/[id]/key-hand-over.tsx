import { keyHandOver } from "@/lib/api/key-state";
import { formatMinute } from "@/lib/dates";

/** The one reveal of the current key: shown in the dashboard to a user, or claimed through the API by a token (docs/api.md §6). */
export async function KeyHandOver({ channelId }: { channelId: string }) {
  const handOver = await keyHandOver(channelId);
  if (!handOver) return null;
  return (
    <p data-testid="key-hand-over" className="mt-3 text-sm text-slate-700">
      {handOver.kind === "api_token" ? `Claimed through the API by token “${handOver.label}”` : `Shown in the dashboard to ${handOver.label}`} on {formatMinute(handOver.at)} UTC.
    </p>
  );
}
