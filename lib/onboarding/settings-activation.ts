import "server-only";
import { z } from "zod";
import { findHubById } from "@/db/queries/hubs";
import type { Hub } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { AppError } from "../errors";
import { isHubError } from "../hub/http";
import type { PartnerApi } from "../hub/partner-api";
import { partnerApiFor } from "../hub-config/connection";
import { logger } from "../log";
import { getOnboardingSettings } from "./settings";

// "Activate Embedded Signup at 360dialog": tells the hub which Meta solution the partner's own Embedded Signup
// shares WABAs through (docs/hub-contract.md §7, PATCH settings/account_sharing). Only after this does account sharing
// accept FINISH events with that solution id.

export type ActivationDeps = { partnerApi?: (hub: Hub) => PartnerApi };

/** Words a partner admin can act on; the upstream details stay in the log (docs/security.md R20). */
function explain(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (!isHubError(error)) return new AppError("upstream:hub", "The hub could not be reached. Please try again.", { cause: error });
  if (error.status === 401 || error.status === 403) {
    return new AppError("upstream:hub_auth", `360dialog refused the Partner API credentials (${error.status}). Check them in the hub settings.`, { cause: error });
  }
  if (error.status === 404) return new AppError("upstream:hub_not_found", "360dialog does not know this partner ID (404). Check the hub settings.", { cause: error });
  if (error.status === 400 || error.status === 422) {
    const reason = error.developerMessage ? `: ${error.developerMessage}` : ".";
    return new AppError("upstream:hub_refused", `360dialog refused the Solution ID${reason} Check it with your Meta solution.`, { cause: error });
  }
  const what = error.code === "timeout" ? "did not answer in time" : error.code === "network" ? "could not be reached" : `answered ${error.status ?? "with an error"}`;
  return new AppError("upstream:hub", `The hub ${what}. Nothing was changed; please try again.`, { cause: error });
}

/** Admin only (the caller checks the role). Sends the saved Solution ID to the hub and audits it. */
export async function activateEmbeddedSignup(actor: Actor, hubId: string, deps: ActivationDeps = {}): Promise<{ solutionId: string }> {
  if (!z.uuid().safeParse(hubId).success) throw new AppError("not_found:hub", "That hub no longer exists.");
  const db = await getDb();
  const hub = await findHubById({ db, id: hubId });
  if (!hub) throw new AppError("not_found:hub", "That hub no longer exists.");
  const { solutionId } = getOnboardingSettings(hub);
  if (!solutionId) throw new AppError("invalid:solution_id", "Save a Solution ID in the Embedded Signup settings first.");
  try {
    await (deps.partnerApi ?? partnerApiFor)(hub).updateAccountSharingSettings({ solutionId, businessManagerId: null });
  } catch (error) {
    const explained = explain(error);
    logger("onboarding").warn({ hub: hub.partnerId, code: explained.code, err: error instanceof Error ? error.message : "failed" }, "embedded signup activation failed");
    throw explained;
  }
  await audit(db, { actor, action: "onboarding.embedded_signup_activated", targetType: "hub", targetId: hub.id, hubId: hub.id, detail: { solutionId } });
  return { solutionId };
}
