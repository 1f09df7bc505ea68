import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll } from "vitest";
import type { Database } from "@/db/client";
import { findChannelByExternalId } from "@/db/queries/channel-store";
import { auditLog, jobs, templateEvents, templates, webhookEvents, type Channel, type Hub, type Template, type User } from "@/db/schema";
import { createHub, createUser, SANDBOX_PARTNER, startTestSandbox, waitFor, type TestSandbox } from "@/test/support/channels";
import { jobHandlers } from "@/lib/job-registry";
import { createJobRunner, type JobLog } from "@/lib/jobs/runner";
import { createMessagingApi } from "@/lib/hub/messaging-api";
import { forgetCachedHubs } from "@/lib/hub-config/cache";
import { ingestWebhook } from "@/lib/webhooks/ingest";
import { ingestWabaWebhook } from "@/lib/webhooks/waba-ingest";
import { setTestAppEnv } from "@/test/db/use-as-app-db";
import type { DatabaseContext } from "@/test/db/databases";
import { bindAppDatabase } from "@/test/db/use-as-app-db";
import type { Actor } from "@/lib/audit";
import type { TemplateDraft } from "@/lib/templates/draft";

/*
 * Shared harness of the lib/templates database tests (not a test file). The sandbox hub runs in-process; its
 * partner webhooks go through the portal's REAL receiver (lib/webhooks/ingest: signature check, inbox row,
 * webhook.process job), its WABA webhooks through the REAL WABA receiver (lib/webhooks/waba-ingest: the hub's secret
 * header), and the jobs run in the REAL job runner with the real handlers. The receiver's origin is the portal's
 * NEXTAUTH_URL here, so the WABA webhook the portal sets points at it. Callers bind the app database
 * (test/db/use-as-app-db) because the receivers and the handlers use getDb().
 */

export type Delivery = {
  partnerId: string;
  event: string;
  channelId?: string;
  status: number;
  raw: string;
  headers: Record<string, string>;
  /** Set for a delivery to a hub's WABA webhook (Meta's shape): the hub id of its path. */
  wabaHubId?: string;
  /** The secret's path token after the hub id, when the URL carries one (docs/waba-webhook.md §2.1). */
  wabaPathToken?: string;
};

export type TemplateSandbox = TestSandbox & {
  /** Every partner webhook the sandbox sent, as received, with the receiver's answer. */
  deliveries: Delivery[];
  /** The receiver's base URL: partner `p` posts to `${ingestUrl}/${p}`. */
  ingestUrl: string;
  /** Sends a stored delivery to the receiver once more, byte for byte (a duplicate). */
  redeliver(delivery: Delivery): Promise<number>;
  /** Templates the sandbox holds for one channel (its messaging state, through the control API). */
  templatesOf(channelExternalId: string): Promise<SandboxTemplate[]>;
};

export type SandboxTemplate = { id: string; name: string; language: string; category: string; status: string; rejected_reason: string | null; channel_id: string };

const quiet: JobLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function toIngest(partnerId: string, raw: string, headers: Record<string, string>): Promise<Response> {
  const request = new Request(`http://127.0.0.1:3000/api/webhooks/360dialog/${partnerId}`, { method: "POST", body: raw, headers });
  return ingestWebhook({ partnerId, request });
}

export async function startTemplateSandbox(): Promise<TemplateSandbox> {
  const sb = await startTestSandbox();
  const deliveries: Delivery[] = [];
  const receiver: Server = createServer((req, res) => {
    void (async () => {
      const partnerId = (req.url ?? "").split("/").pop() ?? "";
      const raw = (await readAll(req)).toString("utf8");
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers[name] = value;
      if ((req.url ?? "").startsWith("/api/webhooks/waba/")) {
        const [hubId = "", pathToken] = (req.url ?? "").slice("/api/webhooks/waba/".length).split("?")[0]!.split("/");
        const request = new Request(`http://127.0.0.1:3000${req.url ?? ""}`, { method: "POST", body: raw, headers });
        const answer = await ingestWabaWebhook({ hubId, pathToken, request });
        const field = (JSON.parse(raw) as { entry?: { changes?: { field?: string }[] }[] }).entry?.[0]?.changes?.[0]?.field ?? "";
        deliveries.push({ partnerId: "", wabaHubId: hubId, wabaPathToken: pathToken, event: field, status: answer.status, raw, headers });
        res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
        return;
      }
      const answer = await toIngest(partnerId, raw, headers);
      const body = JSON.parse(raw) as { event?: string; data?: { id?: string; channel_id?: string } };
      deliveries.push({ partnerId, event: body.event ?? "", channelId: body.data?.channel_id ?? body.data?.id, status: answer.status, raw, headers });
      res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const ingestUrl = `${origin}/hook`;
  setTestAppEnv({ LOG_LEVEL: "silent", NEXTAUTH_URL: origin });
  return {
    ...sb,
    deliveries,
    ingestUrl,
    async redeliver(delivery) {
      if (delivery.wabaHubId) {
        const request = new Request(`${origin}/api/webhooks/waba/${delivery.wabaHubId}`, { method: "POST", body: delivery.raw, headers: delivery.headers });
        return (await ingestWabaWebhook({ hubId: delivery.wabaHubId, pathToken: delivery.wabaPathToken, request })).status;
      }
      return (await toIngest(delivery.partnerId, delivery.raw, delivery.headers)).status;
    },
    async templatesOf(channelExternalId) {
      const state = await sb.control<{ templates: SandboxTemplate[] }>("/state");
      return state.templates.filter((t) => t.channel_id === channelExternalId);
    },
    async close() {
      await sb.close();
      await new Promise<void>((resolve) => {
        receiver.close(() => resolve());
        receiver.closeAllConnections();
      });
    },
  };
}

export type TemplateWorld = { hub: Hub; partnerId: string; operator: User; actor: Actor };

/** A sandbox partner of its own (webhooks to the real receiver) and the portal hub for it. */
export async function createTemplateWorld(
  db: Database,
  sb: TemplateSandbox,
  options: { settings?: Record<string, unknown>; webhooks?: boolean } = {},
): Promise<TemplateWorld> {
  const { settings = {}, webhooks = true } = options;
  const partnerId = `tp${randomBytes(4).toString("hex")}PA`;
  const apiKey = `${partnerId}-partner-key`;
  const webhookUrl = webhooks ? `${sb.ingestUrl}/${partnerId}` : null;
  await sb.control("/partners", { id: partnerId, apiKey, platformSecret: SANDBOX_PARTNER.platformSecret, webhookUrl });
  const hub = await createHub(db, { url: sb.url, partnerId, apiKey, settings });
  const operator = await createUser(db, "operator");
  return { hub, partnerId, operator, actor: { id: operator.id, email: operator.email } };
}

/** Runs queued jobs with the real handlers until none is runnable. */
export async function drainJobs(db: Database): Promise<number> {
  const runner = createJobRunner({ getDb: () => db, handlers: jobHandlers, concurrency: 1, pollMs: 60_000, leaseSeconds: 30, log: quiet });
  let total = 0;
  for (let round = 0; round < 100; round++) {
    const ran = await runner.runOnce();
    if (ran === 0) return total;
    total += ran;
  }
  throw new Error("drainJobs: jobs keep coming");
}

/** Like drainJobs, and also runs the template syncs waiting for their window (a sync asked for after one ran). */
export async function drainJobsNow(db: Database): Promise<number> {
  let total = await drainJobs(db);
  await db.update(jobs).set({ runAt: new Date(Date.now() - 1_000) }).where(and(eq(jobs.kind, "template.sync"), eq(jobs.status, "queued")));
  total += await drainJobs(db);
  return total;
}

export type KeyedChannel = { channel: Channel; externalId: string; apiKey: string };

/**
 * A number onboarded in the sandbox, its webhooks taken in by the receiver and applied by the job runner, its
 * key generated by the real provisioning job: the portal's state as after a real onboarding.
 */
export async function onboardKeyedChannel(db: Database, sb: TemplateSandbox, world: TemplateWorld): Promise<KeyedChannel> {
  const { channelIds } = await sb.control<{ channelIds: string[] }>("/onboard", { partnerId: world.partnerId, permission: true, companyName: "Templates GmbH" });
  const externalId = channelIds[0]!;
  await waitFor(() => sb.deliveries.some((d) => d.channelId === externalId && d.event === "channel_live" && d.status === 200), `channel_live of ${externalId}`);
  await drainJobs(db);
  const channel = await findChannelByExternalId({ db, hubId: world.hub.id, externalId });
  const apiKey = sb.activeKey(externalId);
  if (!channel || channel.status !== "running" || !apiKey) throw new Error(`onboardKeyedChannel: ${externalId} has no key (status ${channel?.status})`);
  return { channel, externalId, apiKey };
}

/** The Messaging API as the number's owner would use it elsewhere (the Hub, another tool). */
export function outsideMessagingApi(sb: TemplateSandbox, apiKey: string) {
  return createMessagingApi({ baseUrl: sb.url, apiKey, retries: 0, circuitBreaker: false });
}

export function cleanDraft(name: string, overrides: Partial<TemplateDraft> = {}): TemplateDraft {
  return {
    name,
    language: "en",
    category: "UTILITY",
    allowCategoryChange: false,
    header: { format: "NONE" },
    body: "Hello {{1}}, your order {{2}} has shipped and will arrive soon.",
    bodyExamples: ["Ana", "A-1001"],
    footer: "",
    buttons: [],
    addSecurityRecommendation: false,
    codeExpirationMinutes: null,
    keptComponents: [],
    ...overrides,
  };
}

export const uniqueName = (prefix: string) => `${prefix}_${randomBytes(3).toString("hex")}`;

export async function templateRow(db: Database, id: string): Promise<Template> {
  const [row] = await db.select().from(templates).where(eq(templates.id, id));
  if (!row) throw new Error(`no template ${id}`);
  return row;
}

export async function eventsOf(db: Database, templateId: string) {
  return db.select().from(templateEvents).where(eq(templateEvents.templateId, templateId)).orderBy(asc(templateEvents.id));
}

export async function auditsOf(db: Database, targetId: string) {
  return db.select().from(auditLog).where(eq(auditLog.targetId, targetId)).orderBy(asc(auditLog.id));
}

export async function syncJobsFor(db: Database, channelId: string) {
  const rows = await db.select().from(jobs).where(eq(jobs.kind, "template.sync"));
  return rows.filter((j) => (j.payload as { channelId?: string }).channelId === channelId);
}

export async function webhookRowsOf(db: Database, hubId: string, event: string) {
  return db.select().from(webhookEvents).where(and(eq(webhookEvents.hubId, hubId), eq(webhookEvents.event, event))).orderBy(asc(webhookEvents.receivedAt));
}

/** Rejection of a promise, for asserting on typed errors. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

/** The file's one sandbox: started before its suites and closed after them. Read `.sb` inside hooks and tests. */
export function sandboxForFile(): { sb: TemplateSandbox } {
  const holder = {} as { sb: TemplateSandbox };
  beforeAll(async () => {
    holder.sb = await startTemplateSandbox();
  });
  afterAll(async () => {
    await holder.sb.close();
  });
  return holder;
}

/**
 * For one engine's suite (`forEachDatabase`): the app bound to its database, a hub of its own on the sandbox and,
 * unless `keyedNumber` is false, a number with its key; the sandbox's faults cleared afterwards. Read the fields
 * inside hooks and tests.
 */
export function templateWorldForSuite(
  ctx: DatabaseContext,
  sandbox: { sb: TemplateSandbox },
  options: { webhooks?: boolean; keyedNumber?: boolean } = {},
): { world: TemplateWorld; number: KeyedChannel } {
  const holder = {} as { world: TemplateWorld; number: KeyedChannel };
  let restore = () => {};
  beforeAll(async () => {
    restore = bindAppDatabase(ctx.get());
    forgetCachedHubs();
    holder.world = await createTemplateWorld(ctx.get().db, sandbox.sb, { webhooks: options.webhooks });
    if (options.keyedNumber !== false) holder.number = await onboardKeyedChannel(ctx.get().db, sandbox.sb, holder.world);
  });
  afterAll(async () => {
    await sandbox.sb.control("/faults", {});
    restore();
  });
  return holder;
}
