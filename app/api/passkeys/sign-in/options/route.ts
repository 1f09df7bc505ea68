import { passkeySignInOptions } from "@/lib/auth/passkeys";
import { errorResponse, refusal } from "@/lib/http/error-response";
import { isSameOriginRequest } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/** WebAuthn request options: this browser's pending second step's passkeys, or any passkey of the site. */
export async function POST(req: Request) {
  if (!isSameOriginRequest(req)) return refusal("forbidden:origin", "Cross-site request refused.");
  try {
    return Response.json(await passkeySignInOptions(), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { where: "passkey-sign-in-options" });
  }
}
