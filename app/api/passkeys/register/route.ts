import { clientIpOf, readRegistrationBody } from "@/lib/auth/passkey-input";
import { registerPasskey } from "@/lib/auth/passkeys";
import { requireRole } from "@/lib/auth/session";
import { errorResponse, refusal } from "@/lib/http/error-response";
import { isSameOriginRequest } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/** Verifies and stores a new passkey of the signed-in user (docs/accounts.md §2). */
export async function POST(req: Request) {
  if (!isSameOriginRequest(req)) return refusal("forbidden:origin", "Cross-site request refused.");
  try {
    const user = await requireRole("viewer", { allowEnrolment: true });
    const passkey = await registerPasskey(user, await readRegistrationBody(req), clientIpOf(req));
    return Response.json({ id: passkey.id, name: passkey.name }, { status: 201, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { where: "passkey-register" });
  }
}
