import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { alertDestinations, alertRules, apiKeys, channels, hubs, users, userTotp, type Hub } from "@/db/schema";
import { forEachDatabase } from "@/test/db/databases";
import { bindAppDatabase, setTestAppEnv } from "@/test/db/use-as-app-db";
import { openSlackUrl, sealSlackUrl } from "./alerts/slack";
import { totpSecretAad } from "./auth/totp";
import { keyAad } from "./channels/api-keys";
import { createHub } from "@/test/support/channels";
import { openHubCredentials, openPlatformSecret } from "./hub-config/secrets";
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
});
