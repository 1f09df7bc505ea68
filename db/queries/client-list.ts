import "server-only";
import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { channels, clients, hubs, invites, onboardingSessions } from "../schema";
import { beforeCursor, cursorText, decodeCursor, pageOf } from "./paging";

export type ClientListFilter = { hubId?: string; q?: string };

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Clients newest first; `q` matches the start of the name or email, or a phone number's digits. */
export async function listClientsPage({
  db,
  filter,
  after,
  limit,
}: {
  db: Executor;
  filter: ClientListFilter;
  after?: string;
  limit: number;
}) {
  const where: SQL[] = [];
  if (filter.hubId) where.push(eq(clients.hubId, filter.hubId));
  const q = filter.q?.trim();
  if (q) {
    // One index per way of matching, united into a set of ids: an OR across them (one arm a subquery on channels)
    // would make PostgreSQL filter every client. Prefixes: *_prefix_idx; phone digits: trigram indexes (drizzle/0002).
    const prefix = `${escapeLike(q.toLowerCase())}%`;
    const digits = q.replace(/\D/g, "");
    const contains = `%${digits}%`;
    // An email address is never a phone number: "ana.2024@x.test" must not match every phone holding 2024.
    const byPhone =
      digits.length >= 4 && !q.includes("@")
        ? sql` union select ${clients.id} from ${clients} where ${clients.phone} like ${contains}
            union select ${channels.clientId} from ${channels} where ${channels.phoneNumber} like ${contains} and ${channels.clientId} is not null`
        : sql``;
    where.push(
      inArray(
        clients.id,
        sql`(select ${clients.id} from ${clients} where lower(${clients.name}) like ${prefix}
          union select ${clients.id} from ${clients} where lower(${clients.email}) like ${prefix}
          union select ${clients.id} from ${clients} where lower(${clients.externalId}) = ${q.toLowerCase()}${byPhone})`,
      ),
    );
  }
  const cursor = decodeCursor(after);
  if (cursor) where.push(beforeCursor(clients.createdAt, clients.id, cursor));
  const rows = await db
    .select({
      id: clients.id,
      hubId: clients.hubId,
      hubName: hubs.name,
      externalId: clients.externalId,
      name: clients.name,
      email: clients.email,
      phone: clients.phone,
      createdAt: clients.createdAt,
      cursorAt: cursorText(clients.createdAt),
      channelCount: sql<number>`(select count(*)::int from ${channels} where ${channels.clientId} = ${clients.id})`,
      // A cancelled number is not running, whatever its last status (docs/channel-lifecycle.md §1).
      runningCount: sql<number>`(select count(*)::int from ${channels} where ${channels.clientId} = ${clients.id} and ${channels.statusRank} >= 50 and ${channels.cancellation} is null)`,
      endingCount: sql<number>`(select count(*)::int from ${channels} where ${channels.clientId} = ${clients.id} and ${channels.cancellation} = 'requested')`,
      cancelledCount: sql<number>`(select count(*)::int from ${channels} where ${channels.clientId} = ${clients.id} and ${channels.cancellation} = 'cancelled')`,
      restrictedCount: sql<number>`(select count(*)::int from ${channels} where ${channels.clientId} = ${clients.id} and ${channels.restricted})`,
    })
    .from(clients)
    .innerJoin(hubs, eq(hubs.id, clients.hubId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(clients.createdAt), desc(clients.id))
    .limit(limit + 1);
  return pageOf(rows, limit);
}

export async function getClientDetail({ db, id }: { db: Executor; id: string }) {
  const [client] = await db
    .select({ client: clients, hubName: hubs.name, hubPartnerId: hubs.partnerId })
    .from(clients)
    .innerJoin(hubs, eq(hubs.id, clients.hubId))
    .where(eq(clients.id, id))
    .limit(1);
  return client;
}

/** The onboarding sessions that led to this client, newest first, with the invite each came from. */
export async function listSessionsOfClient({ db, clientId }: { db: Executor; clientId: string }) {
  return db
    .select({
      id: onboardingSessions.id,
      method: onboardingSessions.method,
      status: onboardingSessions.status,
      error: onboardingSessions.error,
      createdAt: onboardingSessions.createdAt,
      inviteId: invites.id,
      inviteLabel: invites.label,
      invitePurpose: invites.purpose,
    })
    .from(onboardingSessions)
    .leftJoin(invites, eq(invites.id, onboardingSessions.inviteId))
    .where(eq(onboardingSessions.clientId, clientId))
    .orderBy(desc(onboardingSessions.createdAt))
    .limit(100);
}
