import { setTestAppEnv } from "@/test/db/use-as-app-db";
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { insertHub } from "@/db/queries/hubs";
import { insertUser } from "@/db/queries/users";
import { jobs, type Hub, type Job, type User } from "@/db/schema";
import { sealHubCredentials, sealPlatformSecret } from "@/lib/hub-config/secrets";
import { deliveryStatement } from "@/lib/webhooks/store";
import { startSandbox, type RunningSandbox } from "@/sandbox/sandbox";

/*
 * Shared harness of the lib/channels database tests (not a test file): environment, hub and user rows, stored
 * webhook events, and the sandbox hub in-process on 127.0.0.1:0 with a partner webhook receiver and a count of
 * every `POST …/api_keys` it answered (from its request log, so failed calls count too).
 */

export function setTestEnvironment(): void {
  setTestAppEnv({ LOG_LEVEL: "silent" });
}

export const SANDBOX_PARTNER = { id: "sandboxPA", apiKey: "sandbox-partner-key", platformSecret: "sandbox-platform-secret" } as const;

export async function createHub(
  db: Database,
  input: { url?: string; partnerId?: string; apiKey?: string; paymentMode?: "partner" | "direct"; channelWebhookUrl?: string; settings?: Record<string, unknown> } = {},
): Promise<Hub> {
  const id = randomUUID();
  const url = input.url ?? "http://127.0.0.1:9";
  return insertHub({
    db,
    hub: {
      id,
      name: `Hub ${id.slice(0, 6)}`,
      partnerId: input.partnerId ?? `p${randomBytes(4).toString("hex")}PA`,
      partnerApiBaseUrl: url,
      ioBaseUrl: `${url}/dashboard/app`,
      messagingBaseUrl: url,
      paymentMode: input.paymentMode ?? "partner",
      credentialsEnc: sealHubCredentials(id, { kind: "api_key", apiKey: input.apiKey ?? SANDBOX_PARTNER.apiKey }),
      platformSecretEnc: sealPlatformSecret(id, SANDBOX_PARTNER.platformSecret),
      channelWebhookUrl: input.channelWebhookUrl ?? null,
      settings: input.settings ?? {},
      isSandbox: true,
    },
  });
}

export async function createUser(db: Database, role: User["role"]): Promise<User> {
  return insertUser({ db, user: { email: `${role}-${randomBytes(4).toString("hex")}@example.test`, role, passwordHash: "x" } });
}

/**
 * Stores a delivery with the webhook receiver's own statement (pending, with its queued `webhook.process` job);
 * returns the webhook_events id. Tests apply it by calling applyWebhookEvent or by running the job.
 */
export async function storeWebhook(db: Database, hubId: string, body: Record<string, unknown>): Promise<string> {
  const data = (body.data ?? {}) as Record<string, unknown>;
  const { id } = await deliveryStatement.run(db, {
    hubId,
    dedupKey: `id:${typeof body.id === "string" ? body.id : randomUUID()}`,
    event: typeof body.event === "string" ? body.event : "unknown",
    rawBody: JSON.stringify(body),
    headers: {},
    signatureResult: "valid",
    status: "pending",
    channelExternalId: typeof data.id === "string" ? data.id : null,
  });
  return id;
}

export async function jobsOfKind(db: Database, kind: string): Promise<Job[]> {
  return db.select().from(jobs).where(eq(jobs.kind, kind));
}

export type TestSandbox = {
  sandbox: RunningSandbox;
  url: string;
  control<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T>;
  /** Every `POST …/channels/<id>/api_keys` answered so far, by channel id. */
  keyPosts(channelId: string): number;
  /** The key 360dialog (the sandbox) currently holds for the channel. */
  activeKey(channelId: string): string | undefined;
  /** Partner webhooks received at `webhookUrl`, parsed. */
  received: Record<string, unknown>[];
  webhookUrl: string;
  close(): Promise<void>;
};

export async function startTestSandbox(): Promise<TestSandbox> {
  const lines: string[] = [];
  const sandbox = await startSandbox({
    port: 0,
    host: "127.0.0.1",
    seedDefault: true,
    log: (line) => void lines.push(line),
    config: { lifecycleDelayMs: 0, templateReviewDelayMs: -1, webhookRetryBaseMs: 10, webhookRetryMaxMs: 40, webhookTimeoutMs: 2_000 },
  });
  const received: Record<string, unknown>[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  async function control<T>(path: string, body?: unknown): Promise<T> {
    const send = () =>
      fetch(`${sandbox.url}/_sandbox${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // A kept-alive socket the server closed while idle resets before the request is read: send it once more.
    const res = await send().catch((error: unknown) => {
      if ((error as { cause?: { code?: string } }).cause?.code !== "ECONNRESET") throw error;
      return send();
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`control ${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  return {
    sandbox,
    url: sandbox.url,
    control,
    keyPosts: (channelId) => lines.filter((l) => l.includes(`POST /api/v2/partners/`) && l.includes(`/channels/${channelId}/api_keys `)).length,
    activeKey: (channelId) => sandbox.state.apiKeys.find((k) => k.channelId === channelId && k.revokedAt === null)?.key,
    received,
    webhookUrl,
    async close() {
      await sandbox.close();
      await new Promise<void>((resolve) => {
        receiver.close(() => resolve());
        receiver.closeAllConnections();
      });
    },
  };
}

export async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
