import { randomInt } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { expect, it } from "vitest";
import type { Database } from "@/db/client";
import { findChannelsByPhone } from "@/db/queries/channel-store";
import { apiKeys, auditLog, channelEvents, channels, clients, type Hub } from "@/db/schema";
import { partnerApiFor } from "@/lib/hub-config/connection";
import { saveOrSubmitTemplate } from "@/lib/templates/submit";
import { syncChannelTemplates } from "@/lib/templates/sync";
import { cleanDraft, drainJobs, rejectionOf, templateRow, uniqueName, sandboxForFile, templateWorldForSuite } from "@/test/support/templates";
import { forEachDatabase, selectRows } from "@/test/db/databases";
import { isAppError } from "../errors";
import { openStoredKey } from "./api-keys";
import { addManualChannel, manualChannelSchema } from "./manual";
import { reconcileHub } from "./reconcile";
import { setTestEnvironment } from "@/test/support/channels";

setTestEnvironment();

const sandbox = sandboxForFile();

/** What the hub holds: any write that should not have happened shows up here. */
async function footprint(db: Database, hub: Hub) {
  const count = async (table: typeof channels | typeof apiKeys | typeof clients | typeof auditLog | typeof channelEvents) =>
    (await db.select({ n: sql<number>`count(*)::int` }).from(table).where(eq(table.hubId, hub.id)))[0]!.n;
  return { channels: await count(channels), apiKeys: await count(apiKeys), clients: await count(clients), audit: await count(auditLog), channelEvents: await count(channelEvents) };
}

/** Every row of every table of the database, as text. */
async function everyRowAsText(db: Database): Promise<string[]> {
  const tables = await selectRows<{ name: string }>(db, sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
  const rows: string[] = [];
  for (const { name } of tables) {
    for (const r of await selectRows<{ row: string }>(db, sql`select t::text as row from ${sql.identifier(name)} t`)) rows.push(`${name}: ${r.row}`);
  }
  return rows;
}

/** The form's input as the action hands it over: parsed by the same schema. */
const form = (input: Record<string, string>) => manualChannelSchema.parse(input);

forEachDatabase("numbers from elsewhere: addManualChannel against the sandbox hub", (ctx) => {
  const suite = templateWorldForSuite(ctx, sandbox, { webhooks: false, keyedNumber: false });

  /** A running number at the sandbox and a key for it, made through the Partner API as the Hub would. */
  async function numberElsewhere() {
    const phone = `+49151${randomInt(1_000_000, 9_999_999)}`;
    const { channelIds } = await sandbox.sb.control<{ channelIds: string[] }>("/onboard", { partnerId: suite.world.partnerId, permission: true, phoneNumber: phone, companyName: "Elsewhere AG" });
    const externalId = channelIds[0]!;
    const issued = await partnerApiFor(suite.world.hub).generateApiKey(externalId);
    return { phone, externalId, apiKey: issued.apiKey };
  }

  it("a key 360dialog refuses stores nothing and says so beside the key", async () => {
    const { db } = ctx.get();
    const before = await footprint(db, suite.world.hub);
    const error = await rejectionOf(
      addManualChannel(suite.world.actor, form({ hubId: suite.world.hub.id, phoneNumber: "+4915199990001", apiKey: "not-a-key-from-360dialog", clientName: "Nobody GmbH" }), { db }),
    );
    expect(isAppError(error) && error.code).toBe("invalid:api_key");
    expect(isAppError(error) && error.fieldErrors?.apiKey?.length).toBe(1);
    expect(await footprint(db, suite.world.hub)).toEqual(before);
    expect(await findChannelsByPhone({ db, hubId: suite.world.hub.id, phoneNumbers: ["+4915199990001"] })).toEqual([]);
  });

  it("a good key: the number is running with its key sealed, audited without the key, and templates work for it", async () => {
    const { db } = ctx.get();
    const { phone, apiKey } = await numberElsewhere();
    const spaced = `${phone.slice(0, 3)} ${phone.slice(3, 6)} ${phone.slice(6)}`;
    const { channelId } = await addManualChannel(suite.world.actor, form({ hubId: suite.world.hub.id, phoneNumber: spaced, apiKey, clientName: "Elsewhere AG", displayName: "Elsewhere" }), { db });

    const [channel] = await db.select().from(channels).where(eq(channels.id, channelId));
    expect(channel).toMatchObject({ hubId: suite.world.hub.id, source: "manual", status: "running", permission: "granted", phoneNumber: phone, displayName: "Elsewhere", messagingBaseUrl: sandbox.sb.url });
    expect(channel!.clientId).toBeTruthy();
    const [client] = await db.select().from(clients).where(eq(clients.id, channel!.clientId!));
    expect(client?.name).toBe("Elsewhere AG");

    const keys = await db.select().from(apiKeys).where(eq(apiKeys.channelId, channelId));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ status: "active", keyVersion: 1, last4: apiKey.slice(-4), address: sandbox.sb.url });
    expect(keys[0]!.revealedAt).toBeInstanceOf(Date);
    expect(openStoredKey(keys[0]!)).toBe(apiKey);
    // The plaintext is nowhere in the database: no table, no column, no row.
    const leaks = (await everyRowAsText(db)).filter((row) => row.includes(apiKey));
    expect(leaks).toEqual([]);

    const audits = await db.select().from(auditLog).where(eq(auditLog.targetId, channelId));
    expect(audits.map((a) => a.action)).toEqual(["channel.added_manually"]);
    expect(audits[0]).toMatchObject({ actorUserId: suite.world.operator.id, hubId: suite.world.hub.id, detail: expect.objectContaining({ last4: apiKey.slice(-4) }) });
    expect((await db.select().from(channelEvents).where(eq(channelEvents.channelId, channelId))).map((e) => [e.event, e.source])).toEqual([["added_manually", "manual"]]);

    // Templates work for it as for any other number.
    const name = uniqueName("manual_number");
    const outcome = await saveOrSubmitTemplate(suite.world.actor, { channelId, action: "submit", draft: cleanDraft(name) }, { db });
    expect(outcome.kind).toBe("submitted");
    const row = await templateRow(db, outcome.templateId);
    expect(channel!.externalId).toBe(`manual-${phone.slice(1)}`);
    const remote = (await sandbox.sb.templatesOf(await externalOf(phone))).find((t) => t.name === name);
    expect(remote?.id).toBe(row.externalId);
    await sandbox.sb.control(`/templates/${row.externalId}/status`, { status: "approved" });
    expect(await syncChannelTemplates(channelId, { db })).toMatchObject({ changed: 1 });
    expect((await templateRow(db, row.id)).status).toBe("approved");

    // The same number again, written another way: refused, nothing added.
    const before = await footprint(db, suite.world.hub);
    const again = await rejectionOf(addManualChannel(suite.world.actor, form({ hubId: suite.world.hub.id, phoneNumber: `(${phone.slice(1, 3)}) ${phone.slice(3)}`, apiKey }), { db }));
    expect(isAppError(again) && again.code).toBe("conflict:channel");
    expect(isAppError(again) && again.fieldErrors?.phoneNumber).toBeDefined();
    expect(await footprint(db, suite.world.hub)).toEqual(before);
  });

  it("a Messaging API that cannot be reached: an upstream error, nothing stored", async () => {
    const { db } = ctx.get();
    const { phone, apiKey } = await numberElsewhere();
    const before = await footprint(db, suite.world.hub);
    // Port 9 on loopback refuses connections.
    const error = await rejectionOf(addManualChannel(suite.world.actor, form({ hubId: suite.world.hub.id, phoneNumber: phone, apiKey, messagingBaseUrl: "http://127.0.0.1:9" }), { db }));
    expect(isAppError(error) && error.code).toBe("upstream:hub");
    expect(isAppError(error) && error.publicMessage).toContain("nothing was stored");
    expect(isAppError(error) && error.publicMessage).not.toContain(apiKey);
    expect(await footprint(db, suite.world.hub)).toEqual(before);
  });

  it("a hand-added number that 360dialog later lists under this partner keeps its row and its key", async () => {
    const { db } = ctx.get();
    const { phone, externalId, apiKey } = await numberElsewhere();
    const { channelId } = await addManualChannel(suite.world.actor, form({ hubId: suite.world.hub.id, phoneNumber: phone, apiKey }), { db });
    const keysBefore = await db.select().from(apiKeys).where(eq(apiKeys.channelId, channelId));

    // Reconciliation reads the partner's numbers: this one is there under its real channel ID.
    await reconcileHub(suite.world.hub.id, { db });
    await drainJobs(db);

    const rows = await findChannelsByPhone({ db, hubId: suite.world.hub.id, phoneNumbers: [phone] });
    expect(rows.map((r) => [r.id, r.externalId])).toEqual([[channelId, externalId]]);
    const keysAfter = await db.select().from(apiKeys).where(eq(apiKeys.channelId, channelId));
    expect(keysAfter.map((k) => [k.id, k.status])).toEqual(keysBefore.map((k) => [k.id, "active"]));
    expect(openStoredKey(keysAfter[0]!)).toBe(apiKey);
  });

  /** The sandbox channel with this phone number (the manual row names it manual-<digits>). */
  async function externalOf(phone: string): Promise<string> {
    const state = await sandbox.sb.control<{ channels: { id: string; setup_info: { phone_number: string } }[] }>("/state");
    const match = state.channels.find((c) => c.setup_info.phone_number === phone);
    if (!match) throw new Error(`no sandbox channel with ${phone}`);
    return match.id;
  }
});
