import "server-only";
import { z } from "zod";
import { findChannelById } from "@/db/queries/channel-store";
import { getClientDetail } from "@/db/queries/client-list";
import { countTemplatesByStatus, getTemplateDetail, listTemplateChannels, listTemplateEventsOf, listTemplateLineage, listTemplatesPage, type TemplateListFilter } from "@/db/queries/templates";
import { getDb } from "../db";
import { listHubsOfThisRender } from "../hub-config/render-hubs";
import { fromComponents } from "../templates/components";
import { TEMPLATE_CATEGORIES } from "../templates/draft";
import { EDITABLE_STATUSES } from "../templates/submit";

const PAGE_SIZE = 50;
const opt = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
type Raw = Record<string, string | string[] | undefined>;
const flat = (raw: Raw) => Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v || undefined]));

export const templateQuerySchema = z.object({
  hub: opt(z.uuid()),
  client: opt(z.uuid()),
  channel: opt(z.uuid()),
  status: opt(z.string().regex(/^[a-z_]{1,40}$/)),
  category: opt(z.enum(TEMPLATE_CATEGORIES)),
  language: opt(z.string().regex(/^[A-Za-z_]{2,12}$/)),
  /** Part of the name (docs/exports.md §5). */
  q: opt(z.string().trim().max(100)),
  after: opt(z.string().max(80)),
});

/** The list's filter from its query string: the page and its CSV export (exports.ts) read the same rows. */
export function templateFilterOf(query: z.output<typeof templateQuerySchema>): TemplateListFilter {
  return { hubId: query.hub, clientId: query.client, channelId: query.channel, status: query.status, category: query.category, language: query.language, name: query.q };
}

export async function loadTemplateList(raw: Raw) {
  const query = templateQuerySchema.parse(flat(raw));
  const db = await getDb();
  const filter = templateFilterOf(query);
  const [page, counts, hubs, client, channel] = await Promise.all([
    listTemplatesPage({ db, filter, after: query.after, limit: PAGE_SIZE }),
    countTemplatesByStatus({ db, filter }),
    listHubsOfThisRender(),
    query.client ? getClientDetail({ db, id: query.client }) : undefined,
    query.channel ? findChannelById({ db, id: query.channel }) : undefined,
  ]);
  return {
    query,
    page,
    counts,
    hubs: hubs.map((h) => ({ id: h.id, name: h.name })),
    clientName: client ? client.client.name || "(no name)" : undefined,
    channelLabel: channel ? (channel.phoneNumber ?? channel.externalId) : undefined,
  };
}

export async function loadTemplateDetail(id: string) {
  if (!z.uuid().safeParse(id).success) return null;
  const db = await getDb();
  const detail = await getTemplateDetail({ db, id });
  if (!detail) return null;
  // One logical template may be several rows (resubmitted under a new name, docs/templates-meta.md §2): one history.
  const lineage = await listTemplateLineage({ db, id });
  const names = new Map(lineage.map((r) => [r.id, `${r.name} (${r.language})`]));
  const events = (await listTemplateEventsOf({ db, templateIds: lineage.map((r) => r.id) })).map((e) => ({ ...e, of: names.get(e.templateId) ?? "" }));
  const t = detail.template;
  const draft = fromComponents({ name: t.name, language: t.language, category: t.requestedCategory ?? t.category, components: t.components });
  const readOnlyParts = unsupportedParts(t.components);
  const at = lineage.findIndex((r) => r.id === id);
  const link = (r: (typeof lineage)[number] | undefined) => (r ? { id: r.id, name: r.name, language: r.language, status: r.status } : null);
  return {
    ...detail,
    events,
    lineage: lineage.length > 1 ? lineage.map((r) => link(r)!) : [],
    replaces: link(at > 0 ? lineage[at - 1] : undefined),
    replacedBy: t.replacedById ? link(lineage[at + 1]) : null,
    draft: { ...draft, allowCategoryChange: t.allowCategoryChange },
    readOnlyParts,
    // What the editor cannot change is kept as it is (withStoredKeptParts), so it no longer blocks editing the rest.
    editable: EDITABLE_STATUSES.includes(t.status) && !t.replacedById,
  };
}

const EDITABLE_BUTTONS = new Set(["QUICK_REPLY", "URL", "PHONE_NUMBER", "OTP"]);
const EDITABLE_COMPONENTS = new Set(["HEADER", "BODY", "FOOTER", "BUTTONS"]);

/** Parts the editor cannot change (flows, catalogs, copy-code buttons made elsewhere): shown read-only, sent back unchanged. */
function unsupportedParts(components: unknown[]): string[] {
  const found = new Set<string>();
  const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : "");
  for (const c of components) {
    if (typeof c !== "object" || c === null) continue;
    const type = upper((c as Record<string, unknown>).type);
    if (!EDITABLE_COMPONENTS.has(type)) found.add(`${type || "unknown"} component`);
    const buttons = (c as Record<string, unknown>).buttons;
    if (type === "BUTTONS" && Array.isArray(buttons)) {
      for (const b of buttons) {
        const kind = upper(typeof b === "object" && b !== null ? (b as Record<string, unknown>).type : undefined);
        if (!EDITABLE_BUTTONS.has(kind)) found.add(`${kind || "unknown"} button`);
      }
    }
  }
  return [...found];
}

/** The numbers the editor offers: at most 100, narrowed by a search; the preselected one always included. */
export async function loadEditorChannels({ q, preselected }: { q?: string; preselected?: string }) {
  const db = await getDb();
  const [found, chosen] = await Promise.all([
    listTemplateChannels({ db, q, limit: 100 }),
    preselected && z.uuid().safeParse(preselected).success ? listTemplateChannels({ db, ids: [preselected], limit: 1 }) : [],
  ]);
  const all = [...chosen, ...found.filter((c) => !chosen.some((p) => p.id === c.id))];
  return all.map((c) => ({ id: c.id, label: c.phoneNumber ?? c.externalId, clientName: c.clientName, hubName: c.hubName }));
}
