import type { UserRole } from "@/db/schema";

export { userRoles, type UserRole } from "@/db/schema";

const rank: Record<UserRole, number> = { viewer: 1, operator: 2, admin: 3 };

/** viewer < operator < admin. */
export function hasRole(actual: UserRole, required: UserRole): boolean {
  return rank[actual] >= rank[required];
}
