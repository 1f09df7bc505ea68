import "server-only";
import { z } from "zod";
import { listAuditActions, listAuditEntries, type AuditCursor, type AuditFilter } from "@/db/queries/audit";
import { listUsers } from "@/db/queries/users";
import { getDb } from "./db";
import { listHubsOfThisRender } from "./hub-config/render-hubs";

const PAGE_SIZE = 50;

const dateParam = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .optional()
  .catch(undefined);

export const auditQuerySchema = z.object({
  action: z.string().max(100).regex(/^[\w.:-]*$/).optional().catch(undefined),
  actor: z.uuid().optional().catch(undefined),
  target: z.string().max(200).optional().catch(undefined),
  hub: z.uuid().optional().catch(undefined),
  since: dateParam,
  until: dateParam,
  after: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional()
    .catch(undefined),
});

function parseCursor(after: string | undefined): AuditCursor | undefined {
  if (!after) return undefined;
  return { id: Number(after) };
}

export function formatCursor(cursor: AuditCursor): string {
  return String(cursor.id);
}

export function parseAuditQuery(rawQuery: Record<string, string | string[] | undefined>) {
  const flat = Object.fromEntries(Object.entries(rawQuery).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined]));
  return auditQuerySchema.parse(flat);
}

/** The log's filter from its query string: the page and its CSV export (dashboard/exports.ts) read the same rows. */
export function auditFilterOf(query: z.output<typeof auditQuerySchema>): AuditFilter {
  const until = query.until ? new Date(`${query.until}T00:00:00Z`) : undefined;
  if (until) until.setUTCDate(until.getUTCDate() + 1); // inclusive of the chosen day
  return {
    action: query.action,
    actorUserId: query.actor,
    targetId: query.target,
    hubId: query.hub,
    since: query.since ? new Date(`${query.since}T00:00:00Z`) : undefined,
    until,
  };
}

/** Audit page data: filters from the query string (bad values are ignored, never an error page). */
export async function loadAuditPage(rawQuery: Record<string, string | string[] | undefined>) {
  const query = parseAuditQuery(rawQuery);
  const db = await getDb();
  const [page, actions, users, hubs] = await Promise.all([
    listAuditEntries({
      db,
      filter: auditFilterOf(query),
      after: parseCursor(query.after),
      limit: PAGE_SIZE,
    }),
    listAuditActions({ db }),
    listUsers({ db }),
    listHubsOfThisRender(),
  ]);
  return {
    query,
    page,
    actions,
    actors: users.map((u) => ({ id: u.id, email: u.email })),
    hubs: hubs.map((h) => ({ id: h.id, name: h.name })),
  };
}
