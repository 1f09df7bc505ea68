import { clientIpOf, readSignInBody } from "@/lib/auth/passkey-input";
import { signInWithPasskey } from "@/lib/auth/passkeys";
import { errorResponse, refusal } from "@/lib/http/error-response";
import { isSameOriginRequest } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/** Verifies a passkey assertion and sets the session cookie; the page then goes where it was headed. */
export async function POST(req: Request) {
  if (!isSameOriginRequest(req)) return refusal("forbidden:origin", "Cross-site request refused.");
  try {
    const { response } = await readSignInBody(req);
    await signInWithPasskey(response, clientIpOf(req));
    return Response.json({ ok: true }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { where: "passkey-sign-in" });
  }
}
