import { handleComplete } from "@/lib/onboarding/routes";

export const dynamic = "force-dynamic";

/** The redirect query from 360dialog, handed over by the redirect page or the Connect Button page (docs/security.md R11-R13). */
export function POST(request: Request) {
  return handleComplete(request);
}
