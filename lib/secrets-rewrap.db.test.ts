import { randomBytes, randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SEALED_COLUMNS } from "@/db/queries/secrets";
import { alertDestinations, alertRules, apiKeys, channels, hubs, users, userTotp, webhookEndpoints, type Hub } from "@/db/schema";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import { bindAppDatabase, setTestAppEnv } from "@/test/db/use-as-app-db";
import { openSlackUrl, sealSlackUrl } from "./alerts/slack";
import { totpSecretAad } from "./auth/totp";
import { keyAad } from "./channels/api-keys";
import { createHub, createUser } from "@/test/support/channels";
import { startWebhookReceiver } from "@/test/support/webhook-receiver";
import { openHubCredentials, openPlatformSecret, sealPlatformSecret, sealWabaWebhookSecret, wabaWebhookSecrets, webhookSecrets } from "./hub-config/secrets";
import { attemptDelivery } from "./outbound/deliver";
import { createEndpoint, rotateEndpointSecret, sendTestEvent } from "./outbound/endpoints";
import { rewrapAllSecrets } from "./secrets-rewrap";
import { openSecret, sealSecret, sealedWith } from "./secrets";

// Key rotation (README "Rotating the encryption key"): secrets sealed under k1; k2 put first; the re-seal is
// stopped halfway and run again; then k1 is removed and every secret still opens. A tampered value is reported
// and left alone, never laundered under the new key.

const K1 = `k1:${randomBytes(32).toString("base64")}`;
const K2 = `k2:${randomBytes(32).toString("base64")}`;

forEachDatabase("npm run keys:rewrap", (ctx) => {
  let restore: () => void;
  let hub: Hub;
  const plain = new Map<string, string>();
  beforeAll(async () => {
    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: K1 });
    restore = bindAppDatabase(ctx.get());
    const db = ctx.get().db;
    hub = await createHub(db);
    for (let i = 0; i < 7; i++) {
      const [channel] = await db.insert(channels).values({ hubId: hub.id, externalId: `rewrap${i}CH` }).returning();
      const apiKey = `key-${i}-${randomBytes(8).toString("hex")}`;
      const [row] = await db
        .insert(apiKeys)
        .values({ hubId: hub.id, channelId: channel!.id, grantId: "initial", keyVersion: 1, keyEnc: sealSecret(apiKey, keyAad(channel!.id, 1)), status: "active", last4: apiKey.slice(-4) })
        .returning();
      plain.set(row!.id, apiKey);
    }
  });
  afterAll(() => {
    restore();
    setTestAppEnv({ LOG_LEVEL: "silent" });
  });

  it("re-seals every secret under the new key, resumably, never launders a tampered value, and the old key can then go", async () => {
    const db = ctx.get().db;
    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: `${K2},${K1}` });
    // 2 hub secrets + 7 API keys. Stopped after 3 values, as a killed run would be: the rest still open under k1.
    const first = await rewrapAllSecrets(db, { maxRows: 3, batchSize: 2 });
    expect(first).toMatchObject({ keyId: "k2", resealed: 3, failed: [], remaining: { k2: 3, k1: 6 } });

    // One value still under k1 is tampered with: reported, left as it is, the others go on.
    const [victim] = (await db.select().from(apiKeys)).filter((r) => sealedWith(r.keyEnc!) === "k1");
    const original = victim!.keyEnc!;
    const parts = original.split(".");
    parts[7] = parts[7]!.startsWith("A") ? `B${parts[7]!.slice(1)}` : `A${parts[7]!.slice(1)}`;
    await db.update(apiKeys).set({ keyEnc: parts.join(".") }).where(eq(apiKeys.id, victim!.id));
    const second = await rewrapAllSecrets(db, { batchSize: 2 });
    expect(second.resealed).toBe(5);
    expect(second.failed).toEqual([{ table: "api_keys", id: victim!.id, field: "keyEnc", reason: expect.stringMatching(/authentication/) }]);
    expect(second.remaining).toEqual({ k2: 8, k1: 1 });
    expect((await db.select().from(apiKeys).where(eq(apiKeys.id, victim!.id)))[0]!.keyEnc).toBe(parts.join("."));

    await db.update(apiKeys).set({ keyEnc: original }).where(eq(apiKeys.id, victim!.id));
    const third = await rewrapAllSecrets(db);
    expect(third).toMatchObject({ resealed: 1, failed: [], remaining: { k2: 9 } });
    expect(await rewrapAllSecrets(db)).toMatchObject({ resealed: 0, remaining: { k2: 9 } });

    // k1 removed: every secret opens with k2 alone, to the same plaintext.
    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: K2 });
    for (const row of await db.select().from(apiKeys)) expect(openSecret(row.keyEnc!, keyAad(row.channelId, row.keyVersion))).toBe(plain.get(row.id));
    const [stored] = await db.select().from(hubs).where(eq(hubs.id, hub.id));
    expect(openHubCredentials(stored!)).toEqual({ kind: "api_key", apiKey: "sandbox-partner-key" });
    expect(openPlatformSecret(stored!)).toBe("sandbox-platform-secret");
  });

  it("re-seals staff authenticator-app secrets too: a secret left under a removed key would lock its user out", async () => {
    const db = ctx.get().db;
    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: K1 });
    const [user] = await db.insert(users).values({ email: `totp-${randomBytes(4).toString("hex")}@example.com`, role: "admin", passwordHash: "x" }).returning();
    await db.insert(userTotp).values({ userId: user!.id, secretEnc: sealSecret("JBSWY3DPEHPK3PXP", totpSecretAad(user!.id)), confirmedAt: new Date() });
    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: `${K2},${K1}` });
    expect(await rewrapAllSecrets(db)).toMatchObject({ resealed: 1, failed: [], remaining: { k2: 10 } });
    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: K2 });
    const [row] = await db.select().from(userTotp).where(eq(userTotp.userId, user!.id));
    expect(openSecret(row!.secretEnc, totpSecretAad(user!.id))).toBe("JBSWY3DPEHPK3PXP");
  });

  it("re-seals the Slack webhook URLs of staff alerts too", async () => {
    const db = ctx.get().db;
    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: K1 });
    const [rule] = await db.insert(alertRules).values({ hubId: hub.id, name: "r", conditions: ["number_stuck"] }).returning();
    const id = randomUUID();
    const url = `https://hooks.slack.com/services/T1/B1/${randomBytes(8).toString("hex")}`;
    await db.insert(alertDestinations).values({ id, ruleId: rule!.id, kind: "slack", slackUrlEnc: sealSlackUrl(id, url), label: "Slack" });
    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: `${K2},${K1}` });
    const report = await rewrapAllSecrets(db);
    expect(report).toMatchObject({ resealed: 1, failed: [] });
    expect(Object.keys(report.remaining)).toEqual(["k2"]);
    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: K2 });
    const [stored] = await db.select().from(alertDestinations).where(eq(alertDestinations.id, id));
    expect(openSlackUrl(id, stored!.slackUrlEnc!)).toBe(url);
  });

  it("re-seals outbound endpoints' signing secrets: with the old key removed the endpoint still signs deliveries a receiver verifies", async () => {
    const db = ctx.get().db;
    const receiver = await startWebhookReceiver();
    try {
      setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: K1, OUTBOUND_ALLOW_PRIVATE: "1" });
      const admin = await createUser(db, "admin");
      const actor = { id: admin.id, email: admin.email };
      const created = await createEndpoint(actor, { url: receiver.url }, { db });
      // A rotation in its overlap window: both the current and the previous secret are sealed and both sign.
      const rotated = await rotateEndpointSecret(actor, created.endpoint.id, { overlapHours: 24 }, { db });
      const [before] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, created.endpoint.id));
      expect([sealedWith(before!.secretEnc), sealedWith(before!.previousSecretEnc!)]).toEqual(["k1", "k1"]);

      setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: `${K2},${K1}`, OUTBOUND_ALLOW_PRIVATE: "1" });
      // Stopped after one of the two values, then run again: it resumes with the other.
      expect(await rewrapAllSecrets(db, { maxRows: 1 })).toMatchObject({ resealed: 1, failed: [] });
      const report = await rewrapAllSecrets(db);
      expect(report).toMatchObject({ resealed: 1, failed: [] });
      expect(Object.keys(report.remaining)).toEqual(["k2"]);

      setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: K2, OUTBOUND_ALLOW_PRIVATE: "1" });
      const test = await sendTestEvent(actor, created.endpoint.id, { db });
      expect(await attemptDelivery(test.deliveryId, { db })).toBe("delivered");
      const [delivery] = receiver.received;
      expect(receiver.received).toHaveLength(1);
      const headers = delivery!.headers as Record<string, string>;
      expect(String(headers["webhook-signature"]).split(" ")).toHaveLength(2);
      expect(new Webhook(rotated.secret).verify(delivery!.body, headers)).toMatchObject({ type: "webhook.test" });
      expect(new Webhook(created.secret).verify(delivery!.body, headers)).toMatchObject({ type: "webhook.test" });
      // A key that is not the endpoint's does not verify it: the check above is a real one.
      expect(() => new Webhook(`whsec_${randomBytes(32).toString("base64")}`).verify(delivery!.body, headers)).toThrow();
    } finally {
      await receiver.close();
    }
  });

  it("covers every sealed column of the schema: the *_enc columns are the ones it handles, and after a run none is left under the old key", async () => {
    const db = ctx.get().db;
    // db/schema.ts: secrets are stored only as lib/crypto envelopes in text columns named *_enc.
    const columns = (
      await selectRows<{ t: string; c: string }>(
        db,
        sql`select table_name as t, column_name as c from information_schema.columns where table_schema = current_schema() and column_name like '%\_enc' escape '\' order by 1, 2`,
      )
    ).map((r) => `${r.t}.${r.c}`);
    expect(columns.length).toBeGreaterThan(0);
    expect([...SEALED_COLUMNS].sort()).toEqual(columns);

    // A fresh value under k1 in every one of them, stored the way the app stores it, then one real run.
    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: K1, OUTBOUND_ALLOW_PRIVATE: "1" });
    const future = new Date(Date.now() + 86_400_000);
    const fresh = await createHub(db);
    await db
      .update(hubs)
      .set({
        previousPlatformSecretEnc: sealPlatformSecret(fresh.id, "old-platform-secret", "previous"),
        previousSecretExpiresAt: future,
        wabaWebhookSecretEnc: sealWabaWebhookSecret(fresh.id, "waba-secret"),
        previousWabaWebhookSecretEnc: sealWabaWebhookSecret(fresh.id, "old-waba-secret", "previous"),
        previousWabaWebhookSecretExpiresAt: future,
      })
      .where(eq(hubs.id, fresh.id));
    const [channel] = await db.insert(channels).values({ hubId: fresh.id, externalId: `rewrapAllCH` }).returning();
    await db.insert(apiKeys).values({ hubId: fresh.id, channelId: channel!.id, grantId: "initial", keyVersion: 1, keyEnc: sealSecret("all-columns-key", keyAad(channel!.id, 1)), status: "active", last4: "-key" });
    const user = await createUser(db, "admin");
    await db.insert(userTotp).values({ userId: user.id, secretEnc: sealSecret("JBSWY3DPEHPK3PXP", totpSecretAad(user.id)) });
    const [rule] = await db.insert(alertRules).values({ hubId: fresh.id, name: "all", conditions: ["number_stuck"] }).returning();
    const destinationId = randomUUID();
    await db.insert(alertDestinations).values({ id: destinationId, ruleId: rule!.id, kind: "slack", slackUrlEnc: sealSlackUrl(destinationId, "https://hooks.slack.com/services/T/B/all"), label: "Slack" });
    const endpoint = await createEndpoint({ id: user.id, email: user.email }, { url: "http://127.0.0.1:9/hooks" }, { db });
    await rotateEndpointSecret({ id: user.id, email: user.email }, endpoint.endpoint.id, { overlapHours: 1 }, { db });
    for (const column of columns) {
      const [table, name] = column.split(".");
      const [row] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.identifier(table!)} where split_part(${sql.identifier(name!)}, '.', 2) = 'k1'`);
      expect(row!.n, `no value under k1 in ${column}: store one in this test`).toBeGreaterThan(0);
    }

    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: `${K2},${K1}` });
    const report = await rewrapAllSecrets(db);
    expect(report.failed).toEqual([]);
    expect(Object.keys(report.remaining)).toEqual(["k2"]);
    for (const column of columns) {
      const [table, name] = column.split(".");
      const [row] = await selectRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from ${sql.identifier(table!)} where ${sql.identifier(name!)} is not null and split_part(${sql.identifier(name!)}, '.', 2) <> 'k2'`,
      );
      expect(row!.n, `${column} still holds values under an older key after keys:rewrap`).toBe(0);
    }

    setTestAppEnv({ LOG_LEVEL: "silent", APP_ENCRYPTION_KEY: K2 });
    const [stored] = await db.select().from(hubs).where(eq(hubs.id, fresh.id));
    expect(webhookSecrets(stored!).map((s) => s.secret)).toEqual(["sandbox-platform-secret", "old-platform-secret"]);
    expect(wabaWebhookSecrets(stored!)).toEqual(["waba-secret", "old-waba-secret"]);
  });
});
