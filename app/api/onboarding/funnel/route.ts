import { handleFunnel } from "@/lib/onboarding/routes";

export const dynamic = "force-dynamic";

/** The two funnel steps only a browser can see: landing_viewed and popup_blocked. */
export function POST(request: Request) {
  return handleFunnel(request);
}
