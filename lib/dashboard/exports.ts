import "server-only";
import { listAuditEntries } from "@/db/queries/audit";
import { listChannelsPage } from "@/db/queries/channel-list";
import { listClientsPage } from "@/db/queries/client-list";
import { listHubs } from "@/db/queries/hubs";
import { listInvitesWithProgress } from "@/db/queries/invites";
import { listTemplatesPage } from "@/db/queries/templates";
import type { Executor } from "@/db/client";
import { auditFilterOf, parseAuditQuery } from "../audit-view";
import { getDb } from "../db";
import { inviteState } from "../onboarding/authorise";
import { fromStoredPrefill } from "../onboarding/prefill";
import { csvHeader, csvRows } from "./csv";
import { funnelStepWords, INVITE_STATE_WORDS, prefillSummary, purposeWords } from "./invite-words";
import { inviteListQuerySchema } from "./invites";
import { channelFilterOf, channelQuerySchema, clientFilterOf, clientQuerySchema, flat } from "./lists";
import { templateFilterOf, templateQuerySchema } from "./templates";
import { cancellationWords, channelStatusWords } from "./words";

// CSV exports of the dashboard lists (docs/exports.md). Each list is read with the very query and filter its page
// uses, in keyset pages of EXPORT_PAGE rows, one page at a time as the download consumes them: the file holds
// exactly what the filters show (all pages of it), and memory holds one page whatever the list's size.

/** Rows per database round trip: large enough that 1M rows are 1,000 queries, small enough to stay a few MB. */
export const EXPORT_PAGE = 1_000;

type Raw = Record<string, string | string[] | undefined>;
type Page = { rows: unknown[][]; next: string | null };

export type ExportList = {
  /** The file name's stem. */
  name: string;
  columns: readonly string[];
  /** One page of CSV rows after the cursor (undefined: the first page). */
  page: (db: Executor, after: string | undefined) => Promise<Page>;
};

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : "");

function clients(raw: Raw): ExportList {
  const filter = clientFilterOf(clientQuerySchema.parse(flat(raw)));
  return {
    name: "clients",
    columns: ["Client ID", "Name", "Email", "Phone", "360dialog client ID", "Hub", "Numbers", "Running", "Cancellation requested", "Cancelled", "Restricted", "Created (UTC)"],
    page: async (db, after) => {
      const page = await listClientsPage({ db, filter, after, limit: EXPORT_PAGE });
      return {
        next: page.next,
        rows: page.rows.map((c) => [c.id, c.name, c.email, c.phone, c.externalId, c.hubName, c.channelCount, c.runningCount, c.endingCount, c.cancelledCount, c.restrictedCount, iso(c.createdAt)]),
      };
    },
  };
}

function channels(raw: Raw): ExportList {
  const filter = channelFilterOf(channelQuerySchema.parse(flat(raw)));
  return {
    name: "channels",
    columns: [
      "Channel ID", "Phone number", "360dialog channel ID", "Display name", "Client", "Client ID", "Hub", "Status", "End of life", "Restricted",
      "Permission", "Quality", "Messaging limit", "API key", "API key last 4", "WABA webhook", "Status since (UTC)",
    ],
    page: async (db, after) => {
      const page = await listChannelsPage({ db, filter, after, limit: EXPORT_PAGE });
      return {
        next: page.next,
        rows: page.rows.map((ch) => [
          ch.id, ch.phoneNumber, ch.externalId, ch.displayName, ch.clientName, ch.clientId, ch.hubName, channelStatusWords(ch.status),
          cancellationWords(ch.cancellation, ch.terminatesAt, iso), ch.restricted ? "yes" : "no",
          ch.paymentMode === "partner" && ch.permission === "unknown" ? "granted (partner payment)" : ch.permission,
          ch.qualityRating, ch.messagingLimit, ch.keyStatus ?? "none", ch.keyLast4, ch.wabaWebhookState ?? "not yet", iso(ch.statusChangedAt),
        ]),
      };
    },
  };
}

function templates(raw: Raw): ExportList {
  const filter = templateFilterOf(templateQuerySchema.parse(flat(raw)));
  return {
    name: "templates",
    columns: ["Template ID", "Name", "Language", "Category", "Requested category", "Category changed by Meta", "Status", "Rejection reason", "Phone number", "360dialog channel ID", "Client", "Hub", "Changed (UTC)"],
    page: async (db, after) => {
      const page = await listTemplatesPage({ db, filter, after, limit: EXPORT_PAGE });
      return {
        next: page.next,
        rows: page.rows.map((t) => [
          t.id, t.name, t.language, t.category, t.requestedCategory, t.categoryChanged ? "yes" : "no", t.status, t.rejectedReason,
          t.phoneNumber, t.channelExternalId, t.clientName, t.hubName, iso(t.updatedAt),
        ]),
      };
    },
  };
}

function invites(raw: Raw): ExportList {
  const hubId = inviteListQuerySchema.parse(flat(raw)).hub;
  let hubNames: Map<string, string> | undefined;
  return {
    name: "invites",
    columns: ["Invite ID", "Label", "Hub", "Purpose", "State", "Uses", "Max uses", "Prefilled", "Latest step", "Latest step at (UTC)", "Client linked", "Channels linked", "Created (UTC)", "Expires (UTC)"],
    page: async (db, after) => {
      hubNames ??= new Map((await listHubs({ db })).map((h) => [h.id, h.name]));
      const cursor = after ? (JSON.parse(after) as { createdAt: string; id: string }) : undefined;
      const page = await listInvitesWithProgress({ db, hubId, after: cursor, limit: EXPORT_PAGE });
      return {
        next: page.next ? JSON.stringify(page.next) : null,
        rows: page.rows.map((r) => [
          r.id, r.label, hubNames?.get(r.hubId) ?? "", purposeWords(r.purpose), INVITE_STATE_WORDS[inviteState(r)].words, r.useCount, r.maxUses,
          prefillSummary(fromStoredPrefill(r.prefill)), r.latestEventKind ? funnelStepWords(r.latestEventKind, null) : "", iso(r.latestEventAt),
          r.clientLinked ? "yes" : "no", r.channelsLinked, iso(r.createdAt), iso(r.expiresAt),
        ]),
      };
    },
  };
}

function audit(raw: Raw): ExportList {
  const filter = auditFilterOf(parseAuditQuery(raw));
  return {
    name: "audit-log",
    columns: ["Entry", "When (UTC)", "Who", "Action", "Target type", "Target ID", "Hub ID", "Details"],
    page: async (db, after) => {
      const page = await listAuditEntries({ db, filter, after: after ? { id: Number(after) } : undefined, limit: EXPORT_PAGE });
      return {
        next: page.next ? String(page.next.id) : null,
        rows: page.rows.map((e) => [e.id, iso(e.at), e.actorLabel, e.action, e.targetType, e.targetId, e.hubId, e.detail]),
      };
    },
  };
}

export const EXPORT_LISTS = { clients, channels, templates, invites, audit } as const;
export type ExportListName = keyof typeof EXPORT_LISTS;

export function isExportList(name: string): name is ExportListName {
  return Object.hasOwn(EXPORT_LISTS, name);
}

/**
 * The list as a CSV byte stream. The first page is read before this returns, so a failing database is an error
 * response rather than a broken file; later pages are read only when the consumer pulls (backpressure), and a
 * failure then aborts the stream so the download fails visibly instead of ending short as if complete.
 */
export async function exportCsv(list: ExportList, options: { db?: Executor } = {}): Promise<ReadableStream<Uint8Array>> {
  const db = options.db ?? (await getDb());
  const encoder = new TextEncoder();
  let pending: Page | null = await list.page(db, undefined);
  let headerSent = false;
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      cancel() {
        cancelled = true;
      },
      async pull(controller) {
        if (!headerSent) {
          headerSent = true;
          controller.enqueue(encoder.encode(csvHeader(list.columns)));
          return;
        }
        if (!pending) {
          controller.close();
          return;
        }
        const page: Page = pending;
        pending = null;
        if (page.rows.length > 0) controller.enqueue(encoder.encode(csvRows(page.rows)));
        if (page.next && !cancelled) pending = await list.page(db, page.next);
        else if (!cancelled) controller.close();
      },
    },
    // One chunk (a page) queued ahead at most: the database is read as fast as the client downloads, no faster.
    { highWaterMark: 1 },
  );
}
