import "server-only";
import { z } from "zod";
import { getClientDetail, listClientsPage, listSessionsOfClient, type ClientListFilter } from "@/db/queries/client-list";
import { countChannelsByCancellation, countChannelsByStatus, listChannelsOfClient, listChannelsPage, listChannelTimeline, type ChannelListFilter } from "@/db/queries/channel-list";
import { getWebhookEventDetail, listWebhookEventsPage } from "@/db/queries/webhook-inbox";
import { listStuckChannels } from "../channels/stuck";
import { getDb } from "../db";
import { listHubsOfThisRender } from "../hub-config/render-hubs";
import { WEBHOOK_OUTCOMES } from "./words";

export { KNOWN_CHANNEL_STATUSES } from "@/db/queries/channel-list";

const PAGE_SIZE = 50;

// Query strings are user input: anything malformed is dropped, never an error page.
const opt = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const baseQuery = {
  hub: opt(z.uuid()),
  after: opt(z.string().max(80)),
};

type Raw = Record<string, string | string[] | undefined>;
export const flat = (raw: Raw) => Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined]));

/** Every hub as a choice for a filter or a form. */
export async function hubOptions() {
  return (await listHubsOfThisRender()).map((h) => ({ id: h.id, name: h.name }));
}

export const clientQuerySchema = z.object({ ...baseQuery, q: opt(z.string().trim().max(100)) });

/** The list's filter from its query string: the page and its CSV export (exports.ts) read the same rows. */
export function clientFilterOf(query: z.output<typeof clientQuerySchema>): ClientListFilter {
  return { hubId: query.hub, q: query.q };
}

export async function loadClientList(raw: Raw) {
  const query = clientQuerySchema.parse(flat(raw));
  const db = await getDb();
  const [page, hubs] = await Promise.all([
    listClientsPage({ db, filter: clientFilterOf(query), after: query.after, limit: PAGE_SIZE }),
    hubOptions(),
  ]);
  return { query, page, hubs };
}

export const channelQuerySchema = z.object({
  ...baseQuery,
  status: opt(z.string().regex(/^[a-z_]{1,40}$/)),
  q: opt(z.string().trim().max(40)),
  quality: opt(z.string().regex(/^[A-Za-z_]{1,40}$/)),
  limit: opt(z.string().regex(/^[A-Za-z0-9_]{1,40}$/)),
});

export function channelFilterOf(query: z.output<typeof channelQuerySchema>): ChannelListFilter {
  return { hubId: query.hub, status: query.status, q: query.q, quality: query.quality, limit: query.limit };
}

export async function loadChannelList(raw: Raw) {
  const query = channelQuerySchema.parse(flat(raw));
  const db = await getDb();
  const [page, hubs, counts, ending] = await Promise.all([
    listChannelsPage({ db, filter: channelFilterOf(query), after: query.after, limit: PAGE_SIZE }),
    hubOptions(),
    countChannelsByStatus({ db, hubId: query.hub }),
    countChannelsByCancellation({ db, hubId: query.hub }),
  ]);
  // Only the rows on this page need their stuck explanation: a hub-wide list would grow with the hub.
  const stuckRows = await listStuckChannels({ hubId: query.hub, limit: 500, channelIds: page.rows.map((r) => r.id) });
  const stuck = new Map<string, string>();
  for (const s of stuckRows) if (!stuck.has(s.channelId)) stuck.set(s.channelId, s.explanation);
  const keyFailing = new Set(stuckRows.filter((s) => s.rule === "key_failing").map((s) => s.channelId));
  return { query, page, hubs, counts, ending, stuck, keyFailing };
}

export async function loadClientDetail(id: string) {
  if (!z.uuid().safeParse(id).success) return null;
  const db = await getDb();
  const detail = await getClientDetail({ db, id });
  if (!detail) return null;
  const channels = await listChannelsOfClient({ db, clientId: id });
  const [timeline, sessions] = await Promise.all([
    listChannelTimeline({ db, channelIds: channels.map((c) => c.id) }),
    listSessionsOfClient({ db, clientId: id }),
  ]);
  return { ...detail, channels, timeline, sessions };
}

export const webhookQuerySchema = z.object({
  ...baseQuery,
  event: opt(z.string().regex(/^[\w.:-]{1,64}$/)),
  channel: opt(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)),
  status: opt(z.enum(WEBHOOK_OUTCOMES)),
});

export async function loadWebhookInbox(raw: Raw) {
  const query = webhookQuerySchema.parse(flat(raw));
  const db = await getDb();
  const [page, hubs] = await Promise.all([
    listWebhookEventsPage({ db, filter: { hubId: query.hub, event: query.event, channel: query.channel, status: query.status }, after: query.after, limit: PAGE_SIZE }),
    hubOptions(),
  ]);
  return { query, page, hubs };
}

export async function loadWebhookEvent(id: string) {
  if (!z.uuid().safeParse(id).success) return null;
  return (await getWebhookEventDetail({ db: await getDb(), id })) ?? null;
}

/** The query string of the next page: the current filters plus the cursor. */
export function nextPageHref(query: Record<string, string | undefined>, next: string | null): string | null {
  if (!next) return null;
  const params = new URLSearchParams(Object.entries({ ...query, after: next }).filter((e): e is [string, string] => Boolean(e[1])));
  return `?${params}`;
}
