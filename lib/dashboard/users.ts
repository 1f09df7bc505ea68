import "server-only";
import { listUsers } from "@/db/queries/users";
import { getDb } from "../db";

/** The users page: every staff account, oldest first (the page checks the admin role before it asks). */
export async function loadUserList() {
  return listUsers({ db: await getDb() });
}
