import "server-only";
import { and, asc, count, eq, gt, isNull, sql } from "drizzle-orm";
import type { Executor } from "../client";
import { users, type NewUser, type User, type UserRole } from "../schema";

export async function countUsers({ db }: { db: Executor }): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

export async function findUserById({ db, id }: { db: Executor; id: string }): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

export async function findUserByEmail({ db, email }: { db: Executor; email: string }): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return row;
}

export async function findUserByInviteToken({
  db,
  tokenHash,
}: {
  db: Executor;
  tokenHash: string;
}): Promise<User | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.inviteTokenHash, tokenHash), gt(users.inviteExpiresAt, sql`now()`), isNull(users.disabledAt)))
    .limit(1);
  return row;
}

export async function listUsers({ db }: { db: Executor }): Promise<User[]> {
  return db.select().from(users).orderBy(asc(users.createdAt), asc(users.id));
}

export async function insertUser({ db, user }: { db: Executor; user: NewUser }): Promise<User> {
  const [row] = await db.insert(users).values(user).returning();
  if (!row) throw new Error("insertUser returned no row");
  return row;
}

export async function updateUser({
  db,
  id,
  set,
}: {
  db: Executor;
  id: string;
  set: Partial<Pick<User, "name" | "role" | "passwordHash" | "mustChangePassword" | "disabledAt" | "inviteTokenHash" | "inviteExpiresAt" | "lastLoginAt">> & {
    bumpSessionVersion?: boolean;
  };
}): Promise<User | undefined> {
  const { bumpSessionVersion, ...fields } = set;
  const [row] = await db
    .update(users)
    .set({
      ...fields,
      updatedAt: sql`now()`,
      ...(bumpSessionVersion ? { sessionVersion: sql`${users.sessionVersion} + 1` } : {}),
    })
    .where(eq(users.id, id))
    .returning();
  return row;
}

export async function countActiveAdmins({ db }: { db: Executor }): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin" satisfies UserRole), isNull(users.disabledAt)));
  return row?.n ?? 0;
}
