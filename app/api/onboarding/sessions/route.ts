import { getCurrentUser } from "@/lib/auth/session";
import { handleStartSession } from "@/lib/onboarding/routes";

export const dynamic = "force-dynamic";

/** Starts an onboarding: invite holder, signed-in operator, or open signup (docs/security.md R10). See lib/onboarding/routes.ts. */
export function POST(request: Request) {
  return handleStartSession(request, getCurrentUser);
}
