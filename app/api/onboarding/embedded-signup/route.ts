import { handleEmbeddedSignupEvent } from "@/lib/onboarding/routes";

export const dynamic = "force-dynamic";

/** The WA_EMBEDDED_SIGNUP session message (FINISH, CANCEL, ERROR) forwarded by the Embedded Signup page. */
export function POST(request: Request) {
  return handleEmbeddedSignupEvent(request);
}
