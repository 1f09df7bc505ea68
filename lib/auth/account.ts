import "server-only";
import { listPasskeys, secondFactorsOf, type SecondFactors } from "@/db/queries/account-security";
import { listLiveSessions } from "@/db/queries/staff-sessions";
import type { Passkey, StaffSession } from "@/db/schema";
import { getDb } from "../db";

export type AccountSecurity = { factors: SecondFactors; passkeys: Passkey[]; sessions: StaffSession[] };

/** What the account page shows: second factors, passkeys, live sessions (docs/accounts.md). */
export async function loadAccountSecurity(userId: string): Promise<AccountSecurity> {
  const db = await getDb();
  const [factors, passkeys, sessions] = await Promise.all([
    secondFactorsOf({ db, userId }),
    listPasskeys({ db, userId }),
    listLiveSessions({ db, userId }),
  ]);
  return { factors, passkeys, sessions };
}
