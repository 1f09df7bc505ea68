import { passkeyRegistrationOptions } from "@/lib/auth/passkeys";
import { requireRole } from "@/lib/auth/session";
import { errorResponse, refusal } from "@/lib/http/error-response";
import { isSameOriginRequest } from "@/lib/http/same-origin";

export const dynamic = "force-dynamic";

/** WebAuthn creation options for the signed-in user (also while the two-factor policy sends them to enrolment). */
export async function POST(req: Request) {
  if (!isSameOriginRequest(req)) return refusal("forbidden:origin", "Cross-site request refused.");
  try {
    const user = await requireRole("viewer", { allowEnrolment: true });
    return Response.json(await passkeyRegistrationOptions(user), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return errorResponse(error, { where: "passkey-register-options" });
  }
}
