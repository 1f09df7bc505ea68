"use client";

import { useEffect, useRef } from "react";
import { reportFunnel } from "./onboarding-api";

/** Records the funnel step `landing_viewed` of an invite link once per page view. Renders nothing. */
export function InviteLandingReport({ inviteToken }: { inviteToken: string }) {
  const reported = useRef(false);
  useEffect(() => {
    if (reported.current) return;
    reported.current = true;
    reportFunnel({ kind: "landing_viewed", inviteToken });
  }, [inviteToken]);
  return null;
}
