import type { UserRole } from "@/db/schema";

export { userRoles, type UserRole } from "@/db/schema";

const rank: Record<UserRole, number> = { viewer: 1, operator: 2, admin: 3 };

/** viewer < operator < admin. */
export function hasRole(actual: UserRole, required: UserRole): boolean {
  return rank[actual] >= rank[required];
}

export const roleLabels: Record<UserRole, string> = {
  viewer: "Viewer: sees everything, changes nothing",
  operator: "Operator: onboards clients, sends invites, submits templates",
  admin: "Admin: also manages users, settings, secrets and API keys",
};
