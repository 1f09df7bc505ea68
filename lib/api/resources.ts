import "server-only";
import type { Executor } from "@/db/client";
import { findSessionRow, listCurrentKeyStates } from "@/db/queries/api-resources";
import { listChannelsPage } from "@/db/queries/channel-list";
import { findChannelById } from "@/db/queries/channel-store";
import { getClientDetail } from "@/db/queries/client-list";
import { listFunnelEvents } from "@/db/queries/onboarding";
import { getTemplateDetail } from "@/db/queries/templates";
import { channelResource, clientResource, sessionResource, templateResource } from "./serialise";

// One resource as the REST API returns it, with the hub it belongs to (for the caller's visibility check). The
// GET operations and the events' frozen `resource` (docs/events.md §3) both read through here, so an event's
// payload and a GET of the same resource have one shape.

export type Loaded<T> = { hubId: string; resource: T } | undefined;

export async function loadClientResource(db: Executor, id: string) {
  const detail = await getClientDetail({ db, id });
  if (!detail) return undefined;
  const channels = await listChannelsPage({ db, filter: { clientId: id }, limit: 200 });
  const c = detail.client;
  return {
    hubId: c.hubId,
    resource: clientResource({
      id: c.id,
      hubId: c.hubId,
      externalId: c.externalId,
      name: c.name,
      email: c.email,
      phone: c.phone,
      channelCount: channels.rows.length,
      runningCount: channels.rows.filter((r) => r.statusRank >= 50).length,
      createdAt: c.createdAt,
    }),
  };
}

export async function loadChannelResource(db: Executor, id: string) {
  const channel = await findChannelById({ db, id });
  if (!channel) return undefined;
  const [key] = await listCurrentKeyStates({ db, channelIds: [id] });
  return { hubId: channel.hubId, resource: channelResource(channel, key) };
}

export async function loadTemplateResource(db: Executor, id: string) {
  const row = await getTemplateDetail({ db, id });
  if (!row) return undefined;
  return { hubId: row.template.hubId, resource: templateResource(row.template) };
}

export async function loadSessionResource(db: Executor, id: string) {
  const row = await findSessionRow({ db, id });
  if (!row) return undefined;
  return { hubId: row.hubId, resource: sessionResource(row, await listFunnelEvents({ db, sessionId: row.id })) };
}

/** An event subject as the API shows it; null for subjects the API has no resource for, or that are gone. */
export async function eventResourceSnapshot(db: Executor, subject: { subjectType: string; subjectId: string }): Promise<Record<string, unknown> | null> {
  const load =
    subject.subjectType === "client"
      ? loadClientResource
      : subject.subjectType === "channel"
        ? loadChannelResource
        : subject.subjectType === "template"
          ? loadTemplateResource
          : subject.subjectType === "onboarding_session"
            ? loadSessionResource
            : undefined;
  if (!load) return null;
  const loaded = await load(db, subject.subjectId);
  return loaded ? (JSON.parse(JSON.stringify(loaded.resource)) as Record<string, unknown>) : null;
}
