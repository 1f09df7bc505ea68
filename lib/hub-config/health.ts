import "server-only";
import { findHubById, updateHub } from "@/db/queries/hubs";
import type { Executor } from "@/db/client";
import type { Hub, HubHealth, HubLastRuns, HubRun } from "@/db/schema";

export type { HubRun };
import { AppError, isAppError } from "../errors";
import { getDb } from "../db";
import { isHubError, type HubError } from "../hub/http";
import { publishChange } from "../live/publish";

// Why a hub cannot be used, in words a partner admin can act on (docs/hub-settings.md §6), and where the portal
// keeps it: the hub's `health` (last connection test, save check or reconcile; the Settings badge) and its
// `last_runs` (the last reconcile and template sync, shown where they are started).

const DNS = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL"]);
const TLS = /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|HOSTNAME_MISMATCH)/;

export type HubFailure = { code: `upstream:${string}`; reason: string; message: string };

function hostOf(url: string | undefined): string {
  if (!url) return "the hub";
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** One failed Partner API call explained: what happened, at which address, and what to check. */
export function explainHubFailure(error: unknown, hub: Pick<Hub, "partnerId">): HubFailure {
  if (!isHubError(error)) {
    if (isAppError(error) && error.code === "invalid:hub_credentials") {
      return { code: "upstream:hub_credentials", reason: "no_credentials", message: "No Partner API credentials are stored: add the API key from Partner Hub → API Keys." };
    }
    return { code: "upstream:hub", reason: "unknown", message: "The hub could not be asked (an unexpected error; the server log has the details)." };
  }
  return explainHubError(error, hub);
}

function explainHubError(error: HubError, hub: Pick<Hub, "partnerId">): HubFailure {
  const url = error.url ?? error.path;
  const host = hostOf(error.url);
  const net = error.networkCode;
  if (error.code === "timeout") {
    return { code: "upstream:hub_timeout", reason: "timeout", message: `No answer from ${url} in time (timeout). The host is up but slow or drops the request; check the Partner API base URL and try again.` };
  }
  if (error.code === "circuit_open") {
    return { code: "upstream:hub_unavailable", reason: "circuit_open", message: `Not tried: the last calls to ${host} failed in a row, so the portal pauses for 30 s. Try again shortly.` };
  }
  if (error.code === "network") {
    if (net && DNS.has(net)) return { code: "upstream:hub_dns", reason: "dns", message: `DNS: the name ${host} does not resolve (${net}). Check the Partner API base URL for typos.` };
    if (net === "BAD_PORT") {
      return { code: "upstream:hub_network", reason: "bad_port", message: `${host} uses a port the HTTP client refuses to connect to (a blocked port of the Fetch standard, such as 9 or 25). Check the port in the Partner API base URL.` };
    }
    if (net === "ECONNREFUSED") return { code: "upstream:hub_refused", reason: "refused", message: `Nothing accepts connections at ${host} (connection refused, ECONNREFUSED). Check the host and port of the Partner API base URL.` };
    if (net && TLS.test(net)) {
      return { code: "upstream:hub_tls", reason: "tls", message: `TLS: the certificate of ${host} was not accepted (${net}). The URL may point at the wrong host, or the server's certificate is not valid for it.` };
    }
    if (net === "ECONNRESET" || net === "UND_ERR_SOCKET" || net === "EPIPE") {
      return { code: "upstream:hub_reset", reason: "reset", message: `${host} closed the connection without answering (${net}). Check that the URL speaks HTTPS/HTTP on that port.` };
    }
    return { code: "upstream:hub_network", reason: "network", message: `${host} could not be reached (${net ?? "network error"}). Check the Partner API base URL and this server's network.` };
  }
  const status = error.status;
  if (status === 401) {
    return { code: "upstream:hub_auth", reason: "401", message: `360dialog refused the credentials (401 Unauthorized at ${url}): the Partner API key or login is wrong, revoked, or from another partner account. Enter the key from Partner Hub → API Keys.` };
  }
  if (status === 403) {
    return { code: "upstream:hub_forbidden", reason: "403", message: `360dialog accepted the credentials but refused access to partner ${hub.partnerId} (403 Forbidden at ${url}): the key belongs to another partner, or lacks the permission. Check the partner ID and the key.` };
  }
  if (status === 404) {
    return { code: "upstream:hub_not_found", reason: "404", message: `Not found (404) at ${url}: the partner ID ${hub.partnerId} is unknown there, or the Partner API base URL is wrong (it is the host only, e.g. https://hub.360dialog.io; the portal adds /api/v2).` };
  }
  if (status !== null && status >= 300 && status < 400) {
    return { code: "upstream:hub_redirect", reason: String(status), message: `${url} answered ${status} (a redirect, not followed so the key is never sent elsewhere): the Partner API base URL is probably not the API's address.` };
  }
  if (error.code === "invalid_response") {
    return { code: "upstream:hub_invalid", reason: "invalid_response", message: `${url} answered ${status ?? ""}, but not like the Partner API does: the base URL probably points at another service.` };
  }
  const said = error.developerMessage ? `: ${error.developerMessage}` : "";
  return { code: "upstream:hub", reason: String(status ?? "error"), message: `The hub answered ${status ?? "with an error"} at ${url}${said}.` };
}

export function failureAsAppError(failure: HubFailure, cause: unknown): AppError {
  return new AppError(failure.code, failure.message, { cause });
}

export async function recordHubHealth({ db, hubId, health }: { db: Executor; hubId: string; health: Omit<HubHealth, "at"> & { at?: Date } }): Promise<void> {
  await updateHub({ db, id: hubId, set: { health: { ...health, at: (health.at ?? new Date()).toISOString() } } });
  await publishChange(db, { topic: "job", id: hubId, hubId });
}

/** Records one run of a hub's background work; the row's other run is kept (read, merged, written). */
export async function recordHubRun({ db, hubId, kind, run }: { db: Executor; hubId: string; kind: keyof HubLastRuns; run: Omit<HubRun, "at"> & { at?: Date } }): Promise<void> {
  const hub = await findHubById({ db, id: hubId });
  if (!hub) return;
  const previous = hub.lastRuns[kind];
  // A late "queued" must not hide the outcome of the job it names.
  if (run.state === "queued" && previous && previous.jobId === run.jobId && previous.state !== "queued") return;
  await updateHub({ db, id: hubId, set: { lastRuns: { ...hub.lastRuns, [kind]: { ...run, requestedBy: (previous?.jobId === run.jobId ? previous?.requestedBy : undefined) ?? run.requestedBy, at: (run.at ?? new Date()).toISOString() } } } });
  await publishChange(db, { topic: "job", id: run.jobId ?? hubId, hubId });
}

/** What the Settings badge says: archived, failing (with the reason), sandbox, live, or not yet tested. */
export function hubBadge(hub: Pick<Hub, "archivedAt" | "health" | "isSandbox">): { label: "Archived" | "Failing" | "Sandbox" | "Live" | "Not tested"; tone: "slate" | "red" | "amber" | "green" } {
  if (hub.archivedAt) return { label: "Archived", tone: "slate" };
  if (hub.health && !hub.health.ok) return { label: "Failing", tone: "red" };
  if (hub.isSandbox) return { label: "Sandbox", tone: "amber" };
  if (!hub.health) return { label: "Not tested", tone: "slate" };
  return { label: "Live", tone: "green" };
}

/** A reconcile's result in one line: what it read and what it changed. */
export function reconcileSummary(r: { clients: { seen: number; created: number; updated: number }; channels: { seen: number; created: number; changed: number }; permissionsChanged: number }): string {
  const changes = [
    r.clients.created && `${r.clients.created} client${r.clients.created === 1 ? "" : "s"} added`,
    r.clients.updated && `${r.clients.updated} client${r.clients.updated === 1 ? "" : "s"} updated`,
    r.channels.created && `${r.channels.created} number${r.channels.created === 1 ? "" : "s"} added`,
    r.channels.changed && `${r.channels.changed} number${r.channels.changed === 1 ? "" : "s"} updated`,
    r.permissionsChanged && `${r.permissionsChanged} permission${r.permissionsChanged === 1 ? "" : "s"} healed`,
  ].filter(Boolean);
  return `Read ${r.clients.seen} clients and ${r.channels.seen} numbers: ${changes.length ? changes.join(", ") : "nothing to change"}.`;
}

/** A template sync run in words, from its counters. */
export function templateSyncSummary(run: HubRun): string {
  if (run.total === undefined) return run.summary;
  const reported = (run.done ?? 0) + (run.failed ?? 0);
  const head = run.state === "running" ? `${reported} of ${run.total} numbers synced so far` : `${run.total} number${run.total === 1 ? "" : "s"} synced`;
  const failed = run.failed ? `, ${run.failed} failed` : "";
  return `${head}${failed}; ${run.changed ?? 0} template${run.changed === 1 ? "" : "s"} added or changed.`;
}

/** "Reconcile now" / "Sync now" pressed: shown as queued until its job reports (the job id ties them). */
export async function noteRunQueued(input: { hubId: string; kind: keyof HubLastRuns; jobId?: string; requestedBy?: string }): Promise<void> {
  const db = await getDb();
  await recordHubRun({ db, hubId: input.hubId, kind: input.kind, run: { jobId: input.jobId, state: "queued", requestedBy: input.requestedBy, summary: "Queued: waiting for the job runner." } });
}
