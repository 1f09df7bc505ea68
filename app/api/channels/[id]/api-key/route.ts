import { requireRole } from "@/lib/auth/session";
import { revealApiKey } from "@/lib/channels/api-keys";
import { errorResponse, refusal } from "@/lib/http/error-response";
import { isSameOriginRequest } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

const noStore = { "Cache-Control": "no-store, max-age=0", Pragma: "no-cache" };

/** The one response that ever carries an API key's plaintext (docs/security.md R19): admin only, same origin, never cached. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  if (!isSameOriginRequest(req)) return refusal("forbidden:origin", "Cross-site request refused.", { headers: noStore });
  try {
    const actor = await requireRole("admin");
    const key = await revealApiKey(actor, (await ctx.params).id);
    return Response.json(key, { headers: noStore });
  } catch (error) {
    return errorResponse(error, { where: "api-key", headers: noStore });
  }
}
