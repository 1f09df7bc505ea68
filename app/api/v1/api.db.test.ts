import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import type { Database } from "@/db/client";
import { apiKeys, apiTokens, auditLog, channels, clients, invites, onboardingEvents, onboardingSessions, templates, users, webhookEvents, type Hub, type User } from "@/db/schema";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import type { Method, RouteHandler } from "@/lib/api/operation";
import { createEndpoint } from "@/lib/outbound/endpoints";
import { API_OPERATIONS } from "@/lib/api/operations";
import { createApiToken, hashApiToken, listTokens, revokeApiToken, type ApiTokenScope } from "@/lib/api/tokens";
import { keyAad, revealApiKey } from "@/lib/channels/api-keys";
import { sealSecret } from "@/lib/secrets";
import { forEachDatabase } from "@/test/db/databases";
import { bindAppDatabase, setTestAppEnv } from "@/test/db/use-as-app-db";
import { createHub, createUser } from "@/test/support/channels";

// The REST API end to end below HTTP: each route file's exported handler called with a Request, against both
// engines. Every answer of a success is validated against the OpenAPI document's schema (converted back from the
// served JSON Schema), so a handler and the document cannot drift apart unnoticed.

const ROOT = path.join(import.meta.dirname);
const BASE = "http://localhost:3000";

type Route = { file: string; apiPath: string; handlers: Partial<Record<Method, RouteHandler>> };

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return routeFiles(full);
    return name === "route.ts" ? [full] : [];
  });
}

async function loadRoutes(): Promise<Route[]> {
  const routes: Route[] = [];
  for (const file of routeFiles(ROOT)) {
    const rel = path.relative(ROOT, path.dirname(file)).split(path.sep).join("/");
    const apiPath = `/api/v1/${rel}`.replace(/\[(\w+)\]/g, "{$1}");
    const mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
    const handlers: Route["handlers"] = {};
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"] as const) {
      if (typeof mod[method] === "function") (handlers as Record<string, RouteHandler>)[method] = mod[method] as RouteHandler;
    }
    routes.push({ file, apiPath, handlers });
  }
  return routes;
}

const document = buildOpenApiDocument(API_OPERATIONS) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>; "x-scope": string }>>;
  components: { schemas: Record<string, unknown> };
};

/** The documented JSON Schema of an answer, turned back into a validator (components bundled as $defs). */
function documentedValidator(apiPath: string, method: string, status: number): z.ZodType {
  const op = document.paths[apiPath]?.[method.toLowerCase()];
  const content = op?.responses[String(status)]?.content;
  const schema = content?.["application/json"]?.schema ?? content?.["application/problem+json"]?.schema;
  if (!schema) throw new Error(`no documented ${status} answer for ${method} ${apiPath}`);
  const rewrite = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/$defs/'));
  return z.fromJSONSchema({ ...(rewrite(schema) as object), $defs: rewrite(document.components.schemas) } as Parameters<typeof z.fromJSONSchema>[0]);
}

forEachDatabase("REST API /api/v1", (ctx) => {
  let db: Database;
  let restore: () => void;
  let hub: Hub;
  let otherHub: Hub;
  let admin: User;
  let routes: Route[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    setTestAppEnv({ LOG_LEVEL: "silent", NEXTAUTH_URL: BASE, API_RATE_BURST: "1000", API_RATE_PER_MINUTE: "6000" });
    restore = bindAppDatabase(ctx.get());
    db = ctx.get().db;
    hub = await createHub(db);
    otherHub = await createHub(db);
    admin = await createUser(db, "admin");
    routes = await loadRoutes();

    // One of everything in `hub`, and a channel in the other hub.
    const [client] = await db.insert(clients).values({ hubId: hub.id, externalId: "cli1", name: "Acme", email: "ops@acme.test" }).returning();
    const [channel] = await db
      .insert(channels)
      .values({ hubId: hub.id, clientId: client!.id, externalId: "ch1", phoneNumber: "4915112345678", status: "running", statusRank: 50, permission: "granted", flags: { quality: { event: "FLAGGED", currentLimit: "TIER_1K" } } })
      .returning();
    const [foreign] = await db.insert(channels).values({ hubId: otherHub.id, externalId: "ch2", status: "created" }).returning();
    const [template] = await db.insert(templates).values({ hubId: hub.id, channelId: channel!.id, name: "welcome", language: "en", category: "UTILITY", status: "APPROVED" }).returning();
    const [invite] = await db.insert(invites).values({ hubId: hub.id, tokenHash: randomBytes(32).toString("hex"), label: "lead 1", prefill: { email: "x@y.test" } }).returning();
    const [session] = await db
      .insert(onboardingSessions)
      .values({ hubId: hub.id, inviteId: invite!.id, method: "popup", stateHash: randomBytes(32).toString("hex"), browserBindingHash: "b", expiresAt: new Date(Date.now() + 3600_000) })
      .returning();
    await db.insert(onboardingEvents).values([
      { hubId: hub.id, sessionId: session!.id, inviteId: invite!.id, kind: "session_started" },
      { hubId: hub.id, sessionId: session!.id, kind: "channel_created", detail: { channelId: "ch1" } },
    ]);
    const [event] = await db
      .insert(webhookEvents)
      .values({ hubId: hub.id, dedupKey: "d1", event: "channel_running", rawBody: JSON.stringify({ event: "channel_running", api_key: "secret-value", phone_number: "4915112345678" }), signatureResult: "valid", status: "done", channelExternalId: "ch1" })
      .returning();
    const endpoint = await createEndpoint({ id: admin.id, email: admin.email }, { url: "https://hooks.example.com/portal" }, { db });
    Object.assign(ids, { client: client!.id, channel: channel!.id, foreign: foreign!.id, template: template!.id, invite: invite!.id, session: session!.id, event: event!.id, endpoint: endpoint.endpoint.id });
  });
  afterAll(() => restore?.());

  async function tokenWith(scopes: ApiTokenScope[], extra: { hubId?: string; name?: string } = {}) {
    return (await createApiToken({ id: admin.id, email: admin.email }, { name: extra.name ?? `t-${scopes.join("-")}`, scopes, hubId: extra.hubId })).token;
  }

  function handlerFor(apiPath: string, method: Method): RouteHandler {
    const route = routes.find((r) => r.apiPath === apiPath);
    const handler = route?.handlers[method];
    if (!handler) throw new Error(`no route ${method} ${apiPath}`);
    return handler;
  }

  async function call(method: Method, apiPath: string, opts: { token?: string; params?: Record<string, string>; query?: string; body?: unknown; headers?: Record<string, string> } = {}) {
    const concrete = apiPath.replace(/\{(\w+)\}/g, (_m, name: string) => opts.params?.[name] ?? "");
    const request = new Request(`${BASE}${concrete}${opts.query ? `?${opts.query}` : ""}`, {
      method,
      headers: {
        ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...opts.headers,
      },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
    });
    const response = await handlerFor(apiPath, method)(request, { params: Promise.resolve(opts.params ?? {}) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
  }

  it("has one route handler per documented operation and one operation per route handler (paths and methods)", () => {
    const fromFiles = routes.flatMap((r) => Object.keys(r.handlers).map((m) => `${m} ${r.apiPath}`)).filter((k) => k !== "GET /api/v1/openapi.json").sort();
    const fromDocument = Object.entries(document.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    expect(fromFiles).toEqual(fromDocument);
    // Each handler is made from the operation the document shows at its path.
    for (const r of routes) {
      for (const [method, handler] of Object.entries(r.handlers)) {
        if (r.apiPath === "/api/v1/openapi.json") continue;
        expect({ path: handler.operation.path, method: handler.operation.method }).toEqual({ path: r.apiPath, method });
      }
    }
  });

  it("stores only the token's SHA-256, shows it once, lists it with its scopes, and audits the creation", async () => {
    const { token, row } = await createApiToken({ id: admin.id, email: admin.email }, { name: "crm", scopes: ["read", "onboard"], expiresInDays: 30 });
    expect(token).toMatch(/^ppt_[A-Za-z0-9_-]{43}$/);
    const [stored] = await db.select().from(apiTokens).where(eq(apiTokens.id, row.id));
    expect(stored!.tokenHash).toBe(hashApiToken(token));
    expect(JSON.stringify(stored)).not.toContain(token.slice(4));
    const listed = (await listTokens()).find((t) => t.id === row.id)!;
    expect(listed).toMatchObject({ name: "crm", scopes: ["onboard", "read"], prefix: token.slice(0, 8), lastUsedAt: null });
    expect(JSON.stringify(listed)).not.toContain(stored!.tokenHash);
    const audits = await db.select().from(auditLog).where(and(eq(auditLog.action, "api_token.created"), eq(auditLog.targetId, row.id)));
    expect(audits).toHaveLength(1);
    await expect(createApiToken({ id: admin.id, email: admin.email }, { name: "", scopes: [] })).rejects.toMatchObject({ code: "invalid:api_token", fieldErrors: { name: expect.any(Array), scopes: expect.any(Array) } });
  });

  it("answers every operation 401 without a token, 403 forbidden:scope naming the scope without it, and documented bodies with it", async () => {
    const all: ApiTokenScope[] = ["read", "onboard", "templates", "keys", "webhooks"];
    const bodies: Record<string, unknown> = {
      createTemplate: { channelId: "{channel}", action: "save", draft: { name: "order_update", language: "en", category: "UTILITY", body: "Your order {{1}} ships today.", bodyExamples: ["A-1"] } },
      createInvite: { hubId: "{hub}", label: "from the CRM", prefill: { email: "lead@acme.test", name: "Lead" } },
      createWebhookEndpoint: { url: "https://hooks.example.com/crm", eventTypes: ["channel.api_key.ready"] },
      updateWebhookEndpoint: { description: "CRM" },
    };
    const fill = (v: unknown) => JSON.parse(JSON.stringify(v).replaceAll("{channel}", ids.channel!).replaceAll("{hub}", hub.id));
    const paramsFor = (p: string): Record<string, string> => {
      const which = p.startsWith("/api/v1/clients") ? "client" : p.startsWith("/api/v1/channels") ? "channel" : p.startsWith("/api/v1/templates") ? "template" : p.startsWith("/api/v1/invites") ? "invite" : p.startsWith("/api/v1/onboarding-sessions") ? "session" : p.startsWith("/api/v1/webhook-endpoints") ? "endpoint" : "event";
      return p.includes("{id}") ? { id: ids[which]! } : {};
    };
    // A key to claim, so the claim answers 200 once.
    await db.insert(apiKeys).values(keyRow(ids.channel!, hub.id, "sk-claim-me-0001", "initial"));

    for (const op of API_OPERATIONS) {
      const where = `${op.method} ${op.path}`;
      const params = paramsFor(op.path);
      const body = bodies[op.operationId] !== undefined ? fill(bodies[op.operationId]) : op.method === "POST" ? {} : undefined;
      const none = await call(op.method, op.path, { params, body });
      expect(none.status, where).toBe(401);
      expect(none.body).toMatchObject({ code: "unauthenticated:token", status: 401 });
      expect(none.headers.get("content-type")).toBe("application/problem+json");

      const lacking = await call(op.method, op.path, { params, body, token: await tokenWith(all.filter((s) => s !== op.scope)) });
      expect(lacking.status, where).toBe(403);
      expect(lacking.body).toMatchObject({ code: "forbidden:scope", scope: op.scope });
      expect(documentedValidator(op.path, op.method, 403).safeParse(lacking.body).success, where).toBe(true);

      const allowed = await call(op.method, op.path, { params, body, token: await tokenWith([op.scope]) });
      expect(allowed.status, `${where}: ${JSON.stringify(allowed.body)}`).toBe(op.response.status);
      const check = documentedValidator(op.path, op.method, op.response.status).safeParse(allowed.body);
      expect(check.success, `${where}: ${check.success ? "" : JSON.stringify(check.error.issues)}`).toBe(true);
    }
  });

  it("shows a channel's status, permission, quality and key state, never the key; ETag and If-None-Match give 304", async () => {
    const token = await tokenWith(["read"]);
    const first = await call("GET", "/api/v1/channels/{id}", { token, params: { id: ids.channel! } });
    expect(first.body).toMatchObject({ id: ids.channel, status: "running", running: true, permission: "granted", quality: { event: "FLAGGED", currentLimit: "TIER_1K" } });
    expect(JSON.stringify(first.body)).not.toMatch(/sk-claim-me/);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await call("GET", "/api/v1/channels/{id}", { token, params: { id: ids.channel! }, headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    const other = await call("GET", "/api/v1/channels/{id}", { token, params: { id: ids.channel! }, headers: { "If-None-Match": '"stale"' } });
    expect(other.status).toBe(200);
    const malformed = await call("GET", "/api/v1/channels/{id}", { token, params: { id: "not-a-uuid" } });
    expect(malformed).toMatchObject({ status: 404, body: { code: "not_found:channel" } });
  });

  it("manages outbound endpoints: the secret once at creation and rotation, never after; hub-bound tokens stay in their hub; audited", async () => {
    const token = await tokenWith(["webhooks"]);
    const created = await call("POST", "/api/v1/webhook-endpoints", { token, body: { url: "https://hooks.example.com/a", description: "CRM" } });
    expect(created.status).toBe(201);
    const secret = created.body!.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const id = (created.body!.endpoint as { id: string }).id;
    const got = await call("GET", "/api/v1/webhook-endpoints/{id}", { token, params: { id } });
    expect(got.body).toMatchObject({ id, url: "https://hooks.example.com/a", eventTypes: null, enabled: true });
    expect(JSON.stringify(got.body)).not.toContain(secret.slice(6));
    expect((await call("GET", "/api/v1/webhook-endpoints", { token })).body!.data).toEqual(expect.arrayContaining([expect.objectContaining({ id })]));
    const refused = await call("POST", "/api/v1/webhook-endpoints", { token, body: { url: "http://hooks.example.com/a", eventTypes: ["no.such"] } });
    expect(refused).toMatchObject({ status: 400, body: { code: "invalid:webhook_endpoint" } });
    const rotated = await call("POST", "/api/v1/webhook-endpoints/{id}/rotate-secret", { token, params: { id }, body: { overlapHours: 2 } });
    expect(rotated.body!.secret).not.toBe(secret);
    expect((rotated.body!.endpoint as { previousSecretValidUntil: string | null }).previousSecretValidUntil).not.toBeNull();
    const patched = await call("PATCH", "/api/v1/webhook-endpoints/{id}", { token, params: { id }, body: { enabled: false } });
    expect(patched.body).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/Disabled by/) });
    const bound = await tokenWith(["webhooks"], { hubId: hub.id });
    expect((await call("GET", "/api/v1/webhook-endpoints/{id}", { token: bound, params: { id } })).status).toBe(404);
    const mine = await call("POST", "/api/v1/webhook-endpoints", { token: bound, body: { url: "https://hooks.example.com/b" } });
    expect((mine.body!.endpoint as { hubId: string }).hubId).toBe(hub.id);
    expect((await call("POST", "/api/v1/webhook-endpoints", { token: bound, body: { url: "https://hooks.example.com/b", hubId: otherHub.id } })).status).toBe(404);
    expect((await call("DELETE", "/api/v1/webhook-endpoints/{id}", { token, params: { id } })).body).toEqual({ id, deleted: true });
    expect((await call("GET", "/api/v1/webhook-endpoints/{id}", { token, params: { id } })).status).toBe(404);
    const actions = (await db.select().from(auditLog).where(eq(auditLog.targetId, id))).map((a) => a.action).sort();
    expect(actions).toEqual(["webhook_endpoint.created", "webhook_endpoint.deleted", "webhook_endpoint.secret_rotated", "webhook_endpoint.updated"]);
  });

  it("restricts a hub-bound token to its hub: other hubs' resources are 404, lists hold only its hub", async () => {
    const token = await tokenWith(["read"], { hubId: hub.id });
    expect((await call("GET", "/api/v1/channels/{id}", { token, params: { id: ids.foreign! } })).body).toMatchObject({ status: 404, code: "not_found:channel" });
    expect((await call("GET", "/api/v1/channels/{id}", { token, params: { id: ids.channel! } })).status).toBe(200);
    const list = await call("GET", "/api/v1/channels", { token });
    expect((list.body!.data as { hubId: string }[]).every((c) => c.hubId === hub.id)).toBe(true);
    expect((await call("GET", "/api/v1/channels", { token, query: `hub=${otherHub.id}` })).body!.data).toEqual([]);
    expect((await call("GET", "/api/v1/hubs", { token })).body!.data).toEqual([expect.objectContaining({ id: hub.id })]);
    const everyHub = await call("GET", "/api/v1/channels", { token: await tokenWith(["read"]) });
    expect((everyHub.body!.data as { id: string }[]).map((c) => c.id)).toContain(ids.foreign);
    const onboard = await tokenWith(["onboard"], { hubId: hub.id });
    expect((await call("POST", "/api/v1/invites", { token: onboard, body: { hubId: otherHub.id } })).body).toMatchObject({ status: 404, code: "not_found:hub" });
  });

  it("pages with opaque cursors, filters like the dashboard, and refuses a cursor it did not issue", async () => {
    const token = await tokenWith(["read"]);
    for (let i = 0; i < 5; i++) await db.insert(clients).values({ hubId: otherHub.id, externalId: `pg${i}`, name: `Paged ${i}`, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) });
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof call>> = await call("GET", "/api/v1/clients", { token, query: `hub=${otherHub.id}&limit=2${after ? `&after=${after}` : ""}` });
      expect(page.status).toBe(200);
      seen.push(...(page.body!.data as { name: string }[]).map((c) => c.name));
      after = page.body!.next as string | null;
      if (after) expect(after).not.toContain("~");
    } while (after);
    expect(seen).toEqual(["Paged 4", "Paged 3", "Paged 2", "Paged 1", "Paged 0"]);
    expect((await call("GET", "/api/v1/clients", { token, query: "q=acme" })).body!.data).toMatchObject([{ name: "Acme" }]);
    expect(await call("GET", "/api/v1/clients", { token, query: "after=bm9wZQ" })).toMatchObject({ status: 400, body: { code: "invalid:cursor" } });
    expect(await call("GET", "/api/v1/clients", { token, query: "limit=5000" })).toMatchObject({ status: 400, body: { code: "invalid:query", errors: { limit: expect.any(Array) } } });
  });

  it("refuses expired and revoked tokens with the same 401, audits the revoke, and stamps last use at most once a minute", async () => {
    const { token, row } = await createApiToken({ id: admin.id, email: admin.email }, { name: "short", scopes: ["read"] });
    expect((await call("GET", "/api/v1/clients", { token })).status).toBe(200);
    const [used] = await db.select().from(apiTokens).where(eq(apiTokens.id, row.id));
    expect(used!.lastUsedAt).not.toBeNull();
    await call("GET", "/api/v1/clients", { token });
    const [usedAgain] = await db.select().from(apiTokens).where(eq(apiTokens.id, row.id));
    expect(usedAgain!.lastUsedAt!.getTime()).toBe(used!.lastUsedAt!.getTime());

    await db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, row.id));
    const expired = await call("GET", "/api/v1/clients", { token });
    const second = await createApiToken({ id: admin.id, email: admin.email }, { name: "to revoke", scopes: ["read"] });
    await revokeApiToken({ id: admin.id, email: admin.email }, second.row.id);
    await revokeApiToken({ id: admin.id, email: admin.email }, second.row.id);
    const revoked = await call("GET", "/api/v1/clients", { token: second.token });
    const unknown = await call("GET", "/api/v1/clients", { token: `ppt_${randomBytes(32).toString("base64url")}` });
    const garbage = await call("GET", "/api/v1/clients", { token: "hello" });
    for (const r of [expired, revoked, unknown, garbage]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual(expired.body);
      expect(r.headers.get("www-authenticate")).toContain("Bearer");
    }
    expect(await db.select().from(auditLog).where(and(eq(auditLog.action, "api_token.revoked"), eq(auditLog.targetId, second.row.id)))).toHaveLength(1);
    // A token of an admin who was disabled stops working.
    const owner = await createUser(db, "admin");
    const owned = (await createApiToken({ id: owner.id, email: owner.email }, { name: "owner gone", scopes: ["read"] })).token;
    expect((await call("GET", "/api/v1/clients", { token: owned })).status).toBe(200);
    await db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, owner.id));
    expect((await call("GET", "/api/v1/clients", { token: owned })).status).toBe(401);
  });

  it("rate limits per token: 429 with Retry-After once its bucket is empty, other tokens unaffected", async () => {
    setTestAppEnv({ LOG_LEVEL: "silent", NEXTAUTH_URL: BASE, API_RATE_BURST: "3", API_RATE_PER_MINUTE: "6" });
    try {
      const token = await tokenWith(["read"]);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call("GET", "/api/v1/clients", { token })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await call("GET", "/api/v1/clients", { token });
      expect(limited.body).toMatchObject({ status: 429, code: "throttled:rate_limit" });
      const retry = Number(limited.headers.get("retry-after"));
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(10);
      expect((await call("GET", "/api/v1/clients", { token: await tokenWith(["read"]) })).status).toBe(200);
      // Concurrent calls on a fresh bucket: exactly the burst gets through.
      const burst = await tokenWith(["read"]);
      const parallel = await Promise.all(Array.from({ length: 8 }, () => call("GET", "/api/v1/clients", { token: burst })));
      expect(parallel.filter((r) => r.status === 200)).toHaveLength(3);
    } finally {
      setTestAppEnv({ LOG_LEVEL: "silent", NEXTAUTH_URL: BASE, API_RATE_BURST: "1000", API_RATE_PER_MINUTE: "6000" });
    }
  });

  function keyRow(channelId: string, hubId: string, plaintext: string, grantId: string) {
    return {
      hubId,
      channelId,
      grantId,
      status: "active" as const,
      keyVersion: 1,
      keyEnc: sealSecret(plaintext, keyAad(channelId, 1)),
      last4: plaintext.slice(-4),
      fingerprint: "f",
      address: "https://waba.example.test",
    };
  }

  async function channelWithKey(plaintext: string) {
    const [channel] = await db.insert(channels).values({ hubId: hub.id, externalId: `k${randomBytes(4).toString("hex")}`, status: "running", statusRank: 50, permission: "granted" }).returning();
    await db.insert(apiKeys).values(keyRow(channel!.id, hub.id, plaintext, "initial"));
    return channel!.id;
  }

  it("hands a key over once through the API: the second claim is 410 and the dashboard's reveal is then refused; both audited", async () => {
    const channelId = await channelWithKey("sk-live-abcdef-1234");
    const token = await tokenWith(["keys", "read"], { name: "crm keys" });
    const before = await call("GET", "/api/v1/channels/{id}", { token, params: { id: channelId } });
    expect(before.body!.apiKey).toMatchObject({ state: "waiting_to_be_claimed", last4: "1234", claimedBy: null });

    const claimed = await call("POST", "/api/v1/channels/{id}/api-key/claim", { token, params: { id: channelId } });
    expect(claimed).toMatchObject({ status: 200, body: { channelId, apiKey: "sk-live-abcdef-1234", last4: "1234", version: 1 } });
    expect(claimed.headers.get("cache-control")).toBe("no-store");
    const again = await call("POST", "/api/v1/channels/{id}/api-key/claim", { token, params: { id: channelId } });
    expect(again).toMatchObject({ status: 410, body: { code: "gone:api_key_claimed" } });
    await expect(revealApiKey({ id: admin.id, email: admin.email, role: "admin" }, channelId)).rejects.toMatchObject({ code: "gone:api_key" });

    const after = await call("GET", "/api/v1/channels/{id}", { token, params: { id: channelId } });
    expect(after.body!.apiKey).toMatchObject({ state: "claimed", claimedBy: { kind: "api_token", label: "crm keys" }, claimedAt: expect.any(String) });
    const audits = await db.select().from(auditLog).where(eq(auditLog.targetId, channelId));
    expect(audits.map((a) => a.action).sort()).toEqual(["api_key.claim_refused", "api_key.claimed"]);
    const claimedEntry = audits.find((a) => a.action === "api_key.claimed")!;
    expect(claimedEntry.actorUserId).toBe(admin.id);
    expect(claimedEntry.actorLabel).toContain("crm keys");
    expect(claimedEntry.detail).toMatchObject({ tokenName: "crm keys" });
    expect(JSON.stringify(audits)).not.toContain("sk-live-abcdef");
  });

  it("refuses the claim after the dashboard showed the key (the reverse order), and says what state a key is in", async () => {
    const channelId = await channelWithKey("sk-live-zyx-9876");
    const revealed = await revealApiKey({ id: admin.id, email: admin.email, role: "admin" }, channelId);
    expect(revealed.apiKey).toBe("sk-live-zyx-9876");
    const token = await tokenWith(["keys", "read"]);
    expect(await call("POST", "/api/v1/channels/{id}/api-key/claim", { token, params: { id: channelId } })).toMatchObject({ status: 410, body: { code: "gone:api_key_claimed" } });
    const state = (await call("GET", "/api/v1/channels/{id}", { token, params: { id: channelId } })).body!.apiKey;
    expect(state).toMatchObject({ state: "claimed", claimedBy: { kind: "user", label: admin.email, tokenId: null } });

    // Two claims at once: exactly one gets the key.
    const racing = await channelWithKey("sk-live-race-5555");
    const both = await Promise.all([0, 1].map(() => call("POST", "/api/v1/channels/{id}/api-key/claim", { token, params: { id: racing } })));
    expect(both.map((r) => r.status).sort()).toEqual([200, 410]);

    // none / being generated / revoked
    const [bare] = await db.insert(channels).values({ hubId: hub.id, externalId: `n${randomBytes(4).toString("hex")}`, status: "running", statusRank: 50 }).returning();
    expect((await call("GET", "/api/v1/channels/{id}", { token, params: { id: bare!.id } })).body!.apiKey).toMatchObject({ state: "none" });
    expect(await call("POST", "/api/v1/channels/{id}/api-key/claim", { token, params: { id: bare!.id } })).toMatchObject({ status: 404, body: { code: "not_found:api_key" } });
    await db.insert(apiKeys).values({ hubId: hub.id, channelId: bare!.id, grantId: "initial", status: "pending" });
    expect((await call("GET", "/api/v1/channels/{id}", { token, params: { id: bare!.id } })).body!.apiKey).toMatchObject({ state: "being_generated", last4: null });
    expect(await call("POST", "/api/v1/channels/{id}/api-key/claim", { token, params: { id: bare!.id } })).toMatchObject({ status: 409, body: { code: "conflict:api_key_pending" } });
    await db.update(apiKeys).set({ status: "revoked", revokedAt: new Date() }).where(eq(apiKeys.channelId, racing));
    expect((await call("GET", "/api/v1/channels/{id}", { token, params: { id: racing } })).body!.apiKey).toMatchObject({ state: "revoked", revokedAt: expect.any(String) });
    // A hub-restricted token cannot claim another hub's key: 404, as if the number did not exist.
    const restricted = await tokenWith(["keys"], { hubId: otherHub.id });
    expect(await call("POST", "/api/v1/channels/{id}/api-key/claim", { token: restricted, params: { id: channelId } })).toMatchObject({ status: 404, body: { code: "not_found:channel" } });
  });

  it("creates a template through the same linter: findings per field, a submit with errors refused 422 with its findings", async () => {
    const token = await tokenWith(["templates"]);
    const draft = { name: "Bad Name!", language: "en", category: "UTILITY", body: "Hi {{1}}" };
    const saved = await call("POST", "/api/v1/templates", { token, body: { channelId: ids.channel, action: "save", draft } });
    expect(saved.status).toBe(201);
    const findings = saved.body!.findings as { field: string; severity: string }[];
    expect(findings.some((f) => f.field === "name" && f.severity === "error")).toBe(true);
    const refused = await call("POST", "/api/v1/templates", { token, body: { channelId: ids.channel, action: "submit", draft: { ...draft, name: "bad_two!" } } });
    expect(refused).toMatchObject({ status: 422, body: { code: "unprocessable:template_refused", templateId: expect.any(String), findings: expect.arrayContaining([expect.objectContaining({ field: "name" })]) } });
    expect(documentedValidator("/api/v1/templates", "POST", 422).safeParse(refused.body).success).toBe(true);
    const shape = await call("POST", "/api/v1/templates", { token, body: { channelId: ids.channel, draft: { name: 1 } } });
    expect(shape).toMatchObject({ status: 400, body: { code: "invalid:body", errors: expect.objectContaining({ "draft.name": expect.any(Array) }) } });
  });

  it("creates an invite with prefill, returns its link and QR SVG once, lists and revokes it (audited as the token)", async () => {
    const token = await tokenWith(["onboard", "read"], { name: "crm invites" });
    const created = await call("POST", "/api/v1/invites", { token, body: { hubId: hub.id, label: "Lead 42", prefill: { email: "lead@acme.test", number: "+49 151 23456789" }, maxUses: 2 } });
    expect(created.status).toBe(201);
    expect(created.body!.url).toMatch(/^http:\/\/localhost:3000\/join\/[A-Za-z0-9_-]{43}$/);
    expect(created.body!.qrSvg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const invite = created.body!.invite as { id: string; prefillFields: string[]; state: string };
    expect(invite).toMatchObject({ state: "valid", prefillFields: ["email", "number"] });
    const fetched = await call("GET", "/api/v1/invites/{id}", { token, params: { id: invite.id } });
    expect(JSON.stringify(fetched.body)).not.toContain("/join/");
    const bad = await call("POST", "/api/v1/invites", { token, body: { hubId: hub.id, prefill: { email: "not-an-email" } } });
    expect(bad).toMatchObject({ status: 400, body: { code: "invalid:body", errors: { "prefill.email": expect.any(Array) } } });
    const revoked = await call("POST", "/api/v1/invites/{id}/revoke", { token, params: { id: invite.id } });
    expect(revoked.body).toMatchObject({ id: invite.id, state: "revoked" });
    const audit = await db.select().from(auditLog).where(and(eq(auditLog.action, "invite.created"), eq(auditLog.targetId, invite.id)));
    expect(audit[0]!.actorLabel).toContain("crm invites");
  });

  it("shows an onboarding session with its funnel steps and the webhook inbox with the body redacted", async () => {
    const token = await tokenWith(["read"]);
    const session = await call("GET", "/api/v1/onboarding-sessions/{id}", { token, params: { id: ids.session! } });
    expect(session.body).toMatchObject({ status: "started", steps: [{ kind: "session_started", channelExternalId: null }, { kind: "channel_created", channelExternalId: "ch1" }] });
    expect((await call("GET", "/api/v1/onboarding-sessions", { token, query: `invite=${ids.invite}` })).body!.data).toHaveLength(1);
    const event = await call("GET", "/api/v1/webhook-events/{id}", { token, params: { id: ids.event! } });
    expect(event.body!.body).not.toContain("secret-value");
    expect(event.body!.body).not.toContain("4915112345678");
    expect((await call("GET", "/api/v1/webhook-events", { token, query: "event=channel_running" })).body!.data).toHaveLength(1);
  });

  it("serves a document whose every operation names its scope and whose schemas are components", () => {
    expect(document).toMatchObject({ openapi: "3.1.0" });
    for (const item of Object.values(document.paths)) for (const op of Object.values(item)) expect(["read", "onboard", "templates", "keys", "webhooks"]).toContain(op["x-scope"]);
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(["Channel", "ApiKeyState", "Problem", "Template", "Invite", "OnboardingSession", "WebhookEvent"]));
  });
});
