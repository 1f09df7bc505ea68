import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { insertHub, type NewHub } from "@/db/queries/hubs";
import type { Database } from "@/db/client";
import { users, type Hub } from "@/db/schema";
import { sealHubCredentials, sealPlatformSecret } from "@/lib/hub-config/secrets";
import { DEFAULT_PARTNER, startHub, type Hub as SandboxHub } from "@/test/contract/support";
import type { DatabaseContext } from "@/test/db/databases";
import { setTestAppEnv, bindAppDatabase } from "@/test/db/use-as-app-db";
import { newToken } from "@/lib/onboarding/tokens";

// Shared world of the onboarding db tests (not a test file): the suite's database as the app database, fixed
// test secrets, and an in-process sandbox hub on 127.0.0.1 whose partners back the hub rows seeded here.

export const PORTAL_URL = "http://localhost:3000";

export type PartnerSpec = { id: string; apiKey: string; platformSecret: string; paymentMode?: "partner" | "direct" };

export type World = {
  sandbox: SandboxHub;
  db(): Database;
  /** A hub row pointing at the sandbox (the partner must exist there for Partner API calls). */
  seedHub(fields?: Partial<NewHub> & { partner?: PartnerSpec; platformSecret?: string | null }): Promise<Hub>;
  /** Creates a partner in the sandbox (idempotent). */
  seedPartner(spec: PartnerSpec & { ioSignature?: boolean; encoding?: "hex" | "base64" }): Promise<void>;
  binding(): string;
  /** A signed-in operator (a users row, so audit and created_by references hold). */
  operator(): { id: string; email: string; role: "operator" };
};

export const OPERATOR_ID = "00000000-0000-4000-8000-000000000001";

export async function seedOperator(db: Database): Promise<{ id: string; email: string; role: "operator" }> {
  await db
    .insert(users)
    .values({ id: OPERATOR_ID, email: "op@partner.test", role: "operator", passwordHash: "x" })
    .onConflictDoNothing();
  return { id: OPERATOR_ID, email: "op@partner.test", role: "operator" };
}

export function onboardingWorld(ctx: DatabaseContext): World {
  let sandbox: SandboxHub | undefined;
  let restore: (() => void) | undefined;
  beforeAll(async () => {
    setTestAppEnv({ NEXTAUTH_URL: PORTAL_URL, LOG_LEVEL: "silent" });
    restore = bindAppDatabase(ctx.get());
    sandbox = await startHub();
    await seedOperator(ctx.get().db);
  });
  afterAll(async () => {
    restore?.();
    await sandbox?.close();
  });

  const world: World = {
    get sandbox() {
      if (!sandbox) throw new Error("sandbox used outside a test");
      return sandbox;
    },
    db: () => ctx.get().db,
    async seedPartner(spec) {
      await world.sandbox.control("/partners", {
        id: spec.id,
        apiKey: spec.apiKey,
        platformSecret: spec.platformSecret,
        paymentMode: spec.paymentMode ?? "partner",
        ioSignature: { enabled: spec.ioSignature ?? false, encoding: spec.encoding ?? "hex" },
      });
    },
    async seedHub(fields = {}) {
      const { partner = { ...DEFAULT_PARTNER, paymentMode: "partner" as const }, platformSecret, ...rest } = fields;
      const id = randomUUID();
      const url = world.sandbox.url;
      const secret = platformSecret === undefined ? partner.platformSecret : platformSecret;
      return insertHub({
        db: ctx.get().db,
        hub: {
          id,
          name: `Hub ${partner.id}`,
          partnerId: partner.id,
          partnerApiBaseUrl: url,
          ioBaseUrl: `${url}/dashboard/app`,
          messagingBaseUrl: url,
          paymentMode: partner.paymentMode ?? "partner",
          isSandbox: true,
          credentialsEnc: sealHubCredentials(id, { kind: "api_key", apiKey: partner.apiKey }),
          platformSecretEnc: secret ? sealPlatformSecret(id, secret) : null,
          ...rest,
        },
      });
    },
    binding: () => newToken(),
    operator: () => ({ id: OPERATOR_ID, email: "op@partner.test", role: "operator" }),
  };
  return world;
}

/** A partner id unique to one test (hub partner ids are unique per database). */
export function partnerSpec(prefix: string, paymentMode: "partner" | "direct" = "partner"): PartnerSpec {
  const tag = randomUUID().replace(/-/g, "").slice(0, 10);
  return { id: `${prefix}${tag}PA`, apiKey: `key-${prefix}-${tag}`, platformSecret: `secret-${prefix}-${tag}`, paymentMode };
}
