import "server-only";
import type { KeyStateRow } from "@/db/queries/api-resources";
import type { OnboardingEvent, WebhookEndpoint } from "@/db/schema";
import { isRunning } from "../hub/events";
import type { z } from "zod";
import type { channelSchema, clientSchema, inviteSchema, keyStateSchema, sessionSchema, templateSchema, webhookEndpointSchema, webhookEventSchema } from "./schemas";
import { inviteState } from "../onboarding/authorise";

// Rows → resources as the API returns them (lib/api/schemas.ts). Kept apart from the handlers so the outbound
// events (not built yet) can build their payloads with the same functions.

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function keyStateOf(row: KeyStateRow | undefined): z.input<typeof keyStateSchema> {
  if (!row) return { state: "none", last4: null, version: null, createdAt: null, claimedAt: null, claimedBy: null, revokedAt: null };
  const claimedBy = row.revealedAt
    ? row.revealedByTokenId
      ? { kind: "api_token" as const, label: row.revealedByTokenName ?? "deleted token", tokenId: row.revealedByTokenId }
      : { kind: "user" as const, label: row.revealedByEmail ?? "deleted user", tokenId: null }
    : null;
  const state =
    row.status === "active"
      ? row.revealedAt
        ? "claimed"
        : "waiting_to_be_claimed"
      : row.status === "revoked"
        ? "revoked"
        : "being_generated"; // pending, or failed and waiting for its retry
  const stored = row.status === "active" || row.status === "revoked";
  return {
    state,
    last4: stored ? row.last4 : null,
    version: stored ? row.keyVersion : null,
    createdAt: stored ? iso(row.createdAt) : null,
    claimedAt: isoOrNull(row.revealedAt),
    claimedBy,
    revokedAt: isoOrNull(row.revokedAt),
  };
}

export type ChannelRow = {
  id: string;
  hubId: string;
  clientId: string | null;
  externalId: string;
  phoneNumber: string | null;
  displayName: string | null;
  status: string;
  statusChangedAt: Date;
  permission: "granted" | "revoked" | "unknown";
  restricted: boolean;
  cancellation: "requested" | "cancelled" | null;
  terminatesAt: Date | null;
  qualityRating: string | null;
  messagingLimit: string | null;
  flags: Record<string, unknown> | null;
  createdAt: Date;
};

function qualityOf(flags: Record<string, unknown> | null): { event: string | null; currentLimit: string | null } | null {
  const q = flags?.quality;
  if (!q || typeof q !== "object") return null;
  const { event, currentLimit } = q as Record<string, unknown>;
  return { event: typeof event === "string" ? event : null, currentLimit: typeof currentLimit === "string" ? currentLimit : null };
}

export function channelResource(row: ChannelRow, key: KeyStateRow | undefined): z.input<typeof channelSchema> {
  return {
    id: row.id,
    hubId: row.hubId,
    clientId: row.clientId,
    externalId: row.externalId,
    phoneNumber: row.phoneNumber,
    displayName: row.displayName,
    status: row.status,
    running: isRunning({ status: row.status }),
    statusChangedAt: iso(row.statusChangedAt),
    permission: row.permission,
    restricted: row.restricted,
    cancellation: row.cancellation,
    terminatesAt: row.terminatesAt ? iso(row.terminatesAt) : null,
    qualityRating: row.qualityRating,
    messagingLimit: row.messagingLimit,
    quality: qualityOf(row.flags),
    apiKey: keyStateOf(key),
    createdAt: iso(row.createdAt),
  };
}

export function clientResource(row: {
  id: string;
  hubId: string;
  externalId: string;
  name: string;
  email: string | null;
  phone: string | null;
  channelCount: number;
  runningCount: number;
  createdAt: Date;
}): z.input<typeof clientSchema> {
  return { ...row, channelCount: Number(row.channelCount), runningCount: Number(row.runningCount), createdAt: iso(row.createdAt) };
}

export function templateResource(row: {
  id: string;
  hubId: string;
  channelId: string;
  name: string;
  language: string;
  category: string;
  requestedCategory: string | null;
  categoryChanged: boolean;
  status: string;
  rejectedReason: string | null;
  submittedAt: Date | null;
  updatedAt: Date;
  createdAt: Date;
}): z.input<typeof templateSchema> {
  return {
    id: row.id,
    hubId: row.hubId,
    channelId: row.channelId,
    name: row.name,
    language: row.language,
    category: row.category,
    requestedCategory: row.requestedCategory,
    categoryChanged: row.categoryChanged,
    status: row.status,
    rejectedReason: row.rejectedReason,
    submittedAt: isoOrNull(row.submittedAt),
    updatedAt: iso(row.updatedAt),
    createdAt: iso(row.createdAt),
  };
}

export function inviteResource(row: {
  id: string;
  hubId: string;
  label: string;
  purpose: "new_number" | "permission";
  prefill: Record<string, string>;
  expiresAt: Date | null;
  maxUses: number | null;
  useCount: number;
  revokedAt: Date | null;
  createdAt: Date;
}): z.input<typeof inviteSchema> {
  return {
    id: row.id,
    hubId: row.hubId,
    label: row.label,
    purpose: row.purpose,
    state: inviteState(row),
    prefillFields: Object.keys(row.prefill).sort(),
    expiresAt: isoOrNull(row.expiresAt),
    maxUses: row.maxUses,
    useCount: row.useCount,
    revokedAt: isoOrNull(row.revokedAt),
    createdAt: iso(row.createdAt),
  };
}

export function sessionResource(
  row: {
    id: string;
    hubId: string;
    inviteId: string | null;
    method: z.input<typeof sessionSchema>["method"];
    status: z.input<typeof sessionSchema>["status"];
    clientId: string | null;
    clientExternalId: string | null;
    channelExternalIds: string[];
    error: string | null;
    expiresAt: Date;
    consumedAt: Date | null;
    createdAt: Date;
  },
  events: OnboardingEvent[],
): z.input<typeof sessionSchema> {
  return {
    id: row.id,
    hubId: row.hubId,
    inviteId: row.inviteId,
    method: row.method,
    status: row.status,
    clientId: row.clientId,
    clientExternalId: row.clientExternalId,
    channelExternalIds: row.channelExternalIds,
    error: row.error,
    expiresAt: iso(row.expiresAt),
    completedAt: row.status === "completed" ? isoOrNull(row.consumedAt) : null,
    createdAt: iso(row.createdAt),
    steps: events.map((e) => ({
      kind: e.kind as z.input<typeof sessionSchema>["steps"][number]["kind"],
      at: iso(e.at),
      channelExternalId: typeof e.detail?.channelId === "string" ? e.detail.channelId : null,
    })),
  };
}

export function webhookEventResource(row: {
  id: string;
  hubId: string;
  event: string;
  status: z.input<typeof webhookEventSchema>["status"];
  signatureResult: z.input<typeof webhookEventSchema>["signatureResult"];
  attempts: number;
  deliveries: number;
  channelExternalId: string | null;
  clientExternalId: string | null;
  lastError: string | null;
  receivedAt: Date;
}): z.input<typeof webhookEventSchema> {
  return {
    id: row.id,
    hubId: row.hubId,
    event: row.event,
    status: row.status,
    signatureResult: row.signatureResult,
    attempts: row.attempts,
    deliveries: row.deliveries,
    channelExternalId: row.channelExternalId,
    clientExternalId: row.clientExternalId,
    lastError: row.lastError,
    receivedAt: iso(row.receivedAt),
  };
}

/** An outbound endpoint as the API shows it: never its secret (docs/outbound-webhooks.md §1). */
export function webhookEndpointResource(row: WebhookEndpoint, now: Date = new Date()): z.input<typeof webhookEndpointSchema> {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    hubId: row.hubId,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    previousSecretValidUntil: row.previousSecretEnc && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now ? row.previousSecretExpiresAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
