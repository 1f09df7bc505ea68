import "server-only";
import { z } from "zod";
import { searchChannels, searchClients, searchTemplates } from "@/db/queries/search";
import { getDb } from "../db";

/** Results per group; "more" links to the group's own list, filtered by the same words. */
export const SEARCH_GROUP_LIMIT = 10;

const querySchema = z.object({ q: z.string().trim().max(100).optional().catch(undefined) });

/** The header search's results page: clients, numbers and templates matching `q` (docs/exports.md §5). */
export async function loadSearch(raw: Record<string, string | string[] | undefined>) {
  const first = Array.isArray(raw.q) ? raw.q[0] : raw.q;
  const q = querySchema.parse({ q: first }).q ?? "";
  if (q.length < 2) return { q, clients: [], channels: [], templates: [], tooShort: q.length > 0 };
  const db = await getDb();
  const limit = SEARCH_GROUP_LIMIT + 1;
  const [clients, channels, templates] = await Promise.all([searchClients({ db, q, limit }), searchChannels({ db, q, limit }), searchTemplates({ db, q, limit })]);
  return { q, clients, channels, templates, tooShort: false };
}
