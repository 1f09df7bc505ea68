import "server-only";
import { readTwoFactorPolicy, writeTwoFactorPolicy } from "@/db/queries/account-security";
import { TWO_FACTOR_POLICIES, type TwoFactorPolicy } from "@/db/schema";
import { audit, type Actor } from "../audit";
import { getDb } from "../db";
import { getEnv } from "../env";
import { AppError } from "../errors";
import type { UserRole } from "./roles";

// The portal's two-factor policy (docs/accounts.md §3): off, admins, everyone. TWO_FACTOR_POLICY in the environment
// is a floor the dashboard cannot go below, so an operator can run the portal with two-factor required.

export { TWO_FACTOR_POLICIES, type TwoFactorPolicy };

const strictness: Record<TwoFactorPolicy, number> = { off: 0, admins: 1, everyone: 2 };

export function stricterPolicy(a: TwoFactorPolicy, b: TwoFactorPolicy): TwoFactorPolicy {
  return strictness[a] >= strictness[b] ? a : b;
}

/** The policy in force: the stored one, or the environment's floor when that is stricter. */
export function effectivePolicy(stored: TwoFactorPolicy): TwoFactorPolicy {
  return stricterPolicy(stored, getEnv().TWO_FACTOR_POLICY);
}

/** Whether a user must enrol a second factor before doing anything else. */
export function isEnrolmentDue(policy: TwoFactorPolicy, role: UserRole, hasSecondFactor: boolean): boolean {
  if (hasSecondFactor) return false;
  return policy === "everyone" || (policy === "admins" && role === "admin");
}

export async function readPolicy(): Promise<{ stored: TwoFactorPolicy; floor: TwoFactorPolicy; effective: TwoFactorPolicy }> {
  const stored = await readTwoFactorPolicy({ db: await getDb() });
  const floor = getEnv().TWO_FACTOR_POLICY;
  return { stored, floor, effective: stricterPolicy(stored, floor) };
}

export async function setPolicy(actor: Actor, policy: TwoFactorPolicy, ip: string): Promise<void> {
  const floor = getEnv().TWO_FACTOR_POLICY;
  if (strictness[policy] < strictness[floor]) {
    throw new AppError("conflict:policy_floor", `TWO_FACTOR_POLICY=${floor} is set for this portal: the policy cannot be weaker.`, {
      fieldErrors: { policy: [`At least "${floor}" (set by the server's TWO_FACTOR_POLICY).`] },
    });
  }
  const db = await getDb();
  await db.transaction(async (tx) => {
    const before = await readTwoFactorPolicy({ db: tx });
    if (before === policy) return;
    await writeTwoFactorPolicy({ db: tx, policy, userId: actor.id });
    await audit(tx, { actor, action: "policy.two_factor_changed", targetType: "portal", targetId: "two_factor_policy", detail: { from: before, to: policy }, ip });
  });
}
