import "server-only";
import { and, eq, inArray, notInArray, sql, type SQL } from "drizzle-orm";
import type { Executor } from "../client";
import { channels, clients, hubs, templates } from "../schema";

// The dashboard header's search (docs/exports.md §5). Every arm walks an index on both PGlite and PostgreSQL: name
// and email prefixes (lower(...) text_pattern_ops), phone digits as a prefix ("4915…") and as a suffix ("…5678",
// reverse(phone_digits) text_pattern_ops), exact 360dialog IDs, template-name prefixes. Only a number's middle
// digits have no btree: that arm uses the trigram index drizzle/0002 creates where pg_trgm exists.

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The digits of a search, when it reads as (part of) a phone number: 4 or more digits and no letters or @. */
export function searchDigits(q: string): string | null {
  if (/[A-Za-z@]/.test(q)) return null;
  const digits = q.replace(/\D/g, "");
  return digits.length >= 4 ? digits : null;
}

const reversed = (text: string) => [...text].reverse().join("");

export async function searchClients({ db, q, limit }: { db: Executor; q: string; limit: number }) {
  const term = q.trim().toLowerCase();
  const prefix = `${escapeLike(term)}%`;
  const digits = searchDigits(q);
  // Each arm stops after `limit` rows of its own index, so a short prefix matching 100,000 clients still reads a
  // few rows per arm (measured in docs/exports.md §5), never every match. No ORDER BY inside an arm: the prefix
  // indexes sort as text_pattern_ops, not by the database's collation, and sorting would read every match.
  const arms: SQL[] = [
    sql`(select ${clients.id} from ${clients} where lower(${clients.name}) like ${prefix} limit ${limit})`,
    sql`(select ${clients.id} from ${clients} where lower(${clients.email}) like ${prefix} limit ${limit})`,
    sql`(select ${clients.id} from ${clients} where lower(${clients.externalId}) = ${term} limit ${limit})`,
  ];
  if (digits) {
    arms.push(sql`(select ${clients.id} from ${clients} where ${clients.phoneDigits} like ${`${digits}%`} limit ${limit})`);
    arms.push(sql`(select ${clients.id} from ${clients} where reverse(${clients.phoneDigits}) like ${`${reversed(digits)}%`} limit ${limit})`);
  }
  return db
    .select({ id: clients.id, name: clients.name, email: clients.email, phone: clients.phone, externalId: clients.externalId, hubName: hubs.name })
    .from(clients)
    .innerJoin(hubs, eq(hubs.id, clients.hubId))
    .where(inArray(clients.id, sql`(${sql.join(arms, sql` union `)})`))
    .orderBy(sql`lower(${clients.name})`, clients.id)
    .limit(limit);
}

export async function searchChannels({ db, q, limit }: { db: Executor; q: string; limit: number }) {
  const term = q.trim();
  const digits = searchDigits(term);
  const arms: SQL[] = [sql`(select ${channels.id} from ${channels} where ${channels.externalId} = ${term} limit ${limit})`];
  if (digits) {
    arms.push(sql`(select ${channels.id} from ${channels} where ${channels.phoneDigits} like ${`${digits}%`} limit ${limit})`);
    arms.push(sql`(select ${channels.id} from ${channels} where reverse(${channels.phoneDigits}) like ${`${reversed(digits)}%`} limit ${limit})`);
  }
  const select = () =>
    db
      .select({
        id: channels.id,
        phoneNumber: channels.phoneNumber,
        externalId: channels.externalId,
        status: channels.status,
        clientId: channels.clientId,
        clientName: clients.name,
        hubName: hubs.name,
      })
      .from(channels)
      .innerJoin(hubs, eq(hubs.id, channels.hubId))
      .leftJoin(clients, eq(clients.id, channels.clientId));
  const found = await select()
    .where(inArray(channels.id, sql`(${sql.join(arms, sql` union `)})`))
    .orderBy(channels.phoneDigits, channels.id)
    .limit(limit);
  if (!digits || found.length >= limit) return found;
  // Digits from the middle of a number: numbers are stored as 360dialog sends them ("+" and digits), so the raw
  // column holds the run of digits, and its trigram index (drizzle/0002, where pg_trgm exists) serves the match.
  const middle = await select()
    .where(and(sql`${channels.phoneNumber} like ${`%${digits}%`}`, found.length ? notInArray(channels.id, found.map((f) => f.id)) : undefined))
    .limit(limit - found.length);
  return [...found, ...middle];
}

export async function searchTemplates({ db, q, limit }: { db: Executor; q: string; limit: number }) {
  const prefix = `${escapeLike(q.trim().toLowerCase())}%`;
  return db
    .select({
      id: templates.id,
      name: templates.name,
      language: templates.language,
      status: templates.status,
      phoneNumber: channels.phoneNumber,
      channelExternalId: channels.externalId,
      clientName: clients.name,
    })
    .from(templates)
    .innerJoin(channels, eq(channels.id, templates.channelId))
    .leftJoin(clients, eq(clients.id, channels.clientId))
    // Bounded first on the prefix index, then sorted: sorting every match of a one-letter prefix would read them all.
    .where(inArray(templates.id, sql`(select ${templates.id} from ${templates} where lower(${templates.name}) like ${prefix} and ${templates.replacedById} is null limit ${limit})`))
    .orderBy(sql`lower(${templates.name})`, templates.language)
    .limit(limit);
}
