import "server-only";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Database, Executor } from "./client";
import { seedSealing } from "./lib-deps";
import { seedSql, type SeedPlan } from "./seed-sql";

// A realistic partner for demos and the dashboard benchmark: one hub with `scale` channels and their clients,
// history, keys, templates, onboarding funnel, webhook inbox and failed jobs. See bench/README.md.

export const SEED_PARTNER_ID = "seedpartner";
export const SEED_USERS = [
  { email: "admin@seed.example", name: "Seed Admin", role: "admin" },
  { email: "operator@seed.example", name: "Seed Operator", role: "operator" },
  { email: "viewer@seed.example", name: "Seed Viewer", role: "viewer" },
] as const;

export type SeedOptions = {
  scale: number;
  seed?: number;
  /** Seed even when the database holds hubs that are neither the seed hub nor a sandbox hub. */
  force?: boolean;
  /** Password of the seed users; one is generated (and returned) when absent. */
  password?: string;
  now?: Date;
  log?: (line: string) => void;
};

export type SeedResult = {
  hubId: string;
  password: string;
  counts: Record<string, number>;
  seconds: number;
};

export class SeedRefusedError extends Error {
  override readonly name = "SeedRefusedError";
}

const KEY_BATCH = 5_000;

/** The plaintext API key of a seeded channel: derived, so tests can check what the app decrypts. */
export function seededApiKey(seed: number, channelId: string): string {
  return createHmac("sha256", `seed-api-key-${seed}`).update(channelId).digest("base64url").slice(0, 32);
}

async function rows<T>(db: Executor, query: string): Promise<T[]> {
  const result = (await db.execute(sql.raw(query))) as unknown as T[] | { rows: T[] };
  return Array.isArray(result) ? result : result.rows;
}

async function refuseForeignData(db: Executor, force: boolean): Promise<void> {
  const foreign = await rows<{ name: string; partner_id: string }>(
    db,
    `select name, partner_id from hubs where partner_id <> '${SEED_PARTNER_ID}' and not is_sandbox order by created_at`,
  );
  if (foreign.length && !force) {
    const names = foreign.map((h) => `"${h.name}" (${h.partner_id})`).join(", ");
    throw new SeedRefusedError(
      `This database holds other hubs' data: ${names}. The seed adds a hub with up to millions of rows beside them. ` +
        "Refusing; use an empty database, or pass --force if this really is a throwaway copy.",
    );
  }
}

async function removePreviousSeed(db: Executor, log: (line: string) => void): Promise<void> {
  const [old] = await rows<{ id: string }>(db, `select id from hubs where partner_id = '${SEED_PARTNER_ID}'`);
  if (!old) return;
  log(`removing the previous seed hub ${old.id} and everything under it ...`);
  await db.execute(sql.raw(`delete from jobs where (kind = 'api_key.provision' and payload->>'channelId' in (select id::text from channels where hub_id = '${old.id}'))
    or (kind = 'webhook.process' and payload->>'webhookEventId' in (select id::text from webhook_events where hub_id = '${old.id}'))`));
  await db.execute(sql.raw(`delete from hubs where id = '${old.id}'`));
}

async function seedUsers(db: Executor, password: string): Promise<void> {
  const hash = await seedSealing.hashPassword(password);
  for (const u of SEED_USERS) {
    await db.execute(sql`insert into users (email, name, role, password_hash) values (${u.email}, ${u.name}, ${u.role}, ${hash})
      on conflict (email) do update set password_hash = excluded.password_hash, role = excluded.role, disabled_at = null`);
  }
}

/** Keys are sealed one by one: the AAD binds each ciphertext to its channel row, so none can be reused. */
async function seedApiKeys(db: Executor, seed: number, hubId: string, channels: number): Promise<void> {
  for (let from = 1; from <= channels; from += KEY_BATCH * 4) {
    const batch = await rows<{ id: string }>(db, `select id from seed_ch where cls in ('keyed', 'revoked') and i >= ${from} and i < ${from + KEY_BATCH * 4} order by i`);
    const sealed = batch.map(({ id }) => {
      const key = seededApiKey(seed, id);
      const { keyEnc, fingerprint } = seedSealing.sealApiKey(id, key);
      return { channel_id: id, key_enc: keyEnc, last4: key.slice(-4), fingerprint };
    });
    if (!sealed.length) continue;
    await db.execute(sql`insert into api_keys (hub_id, channel_id, grant_id, key_version, key_enc, last4, fingerprint, address, external_id, status, created_at, revoked_at)
      select ${hubId}::uuid, k.channel_id, 'initial', 1, k.key_enc, k.last4, k.fingerprint, 'https://waba-v2.360dialog.io', 'key-' || s.i,
        case when s.cls = 'revoked' then 'revoked' else 'active' end, s.status_changed_at + interval '5 seconds',
        case when s.cls = 'revoked' then s.permission_changed_at end
      from json_to_recordset(${JSON.stringify(sealed)}::json) as k(channel_id uuid, key_enc text, last4 text, fingerprint text)
      join seed_ch s on s.id = k.channel_id`);
  }
}

export const SEED_TABLES = ["clients", "channels", "channel_events", "api_keys", "templates", "template_events", "onboarding_sessions", "onboarding_events", "webhook_events", "jobs"] as const;

export async function countSeedRows(db: Executor, hubId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of SEED_TABLES) {
    const where =
      table === "template_events"
        ? `template_id in (select id from templates where hub_id = '${hubId}')`
        : table === "jobs"
          ? `true`
          : `hub_id = '${hubId}'`;
    const [row] = await rows<{ n: number }>(db, `select count(*)::int as n from ${table} where ${where}`);
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}

const BULK_TABLES = ["clients", "channels", "channel_events", "api_keys", "templates", "template_events", "onboarding_sessions", "onboarding_events", "webhook_events"];
const BULK_FROM = 50_000;

/**
 * At large scales the plain (non-unique) indexes of the bulk tables are dropped for the load and rebuilt from their
 * own definitions afterwards, inside the same transaction: one sorted build is several times cheaper than
 * millions of index insertions. The tables are locked meanwhile, so seed a live database only at small scales.
 */
async function withoutPlainIndexes(db: Executor, scale: number, load: () => Promise<void>, log: (line: string) => void): Promise<void> {
  if (scale < BULK_FROM) return load();
  const list = BULK_TABLES.map((t) => `'${t}'`).join(", ");
  const indexes = await rows<{ name: string; def: string }>(
    db,
    `select quote_ident(c.relname) as name, pg_get_indexdef(i.indexrelid) as def from pg_index i
       join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
     where t.relname in (${list}) and t.relnamespace = 'public'::regnamespace and not i.indisunique and not i.indisprimary`,
  );
  for (const index of indexes) await db.execute(sql.raw(`drop index ${index.name}`));
  await load();
  const t0 = Date.now();
  for (const index of indexes) await db.execute(sql.raw(index.def));
  log(`${`${indexes.length} indexes rebuilt`.padEnd(34)} ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`);
}

/** Seeds one partner hub in a single transaction (all or nothing); returns its id and the seed users' password. */
export async function seedDatabase(db: Database, options: SeedOptions): Promise<SeedResult> {
  const scale = Math.floor(options.scale);
  if (!Number.isSafeInteger(scale) || scale < 1 || scale > 20_000_000) throw new Error("--scale must be a whole number between 1 and 20,000,000");
  const seed = Math.floor(options.seed ?? 1);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 1_000_000) throw new Error("--seed must be a whole number between 0 and 1,000,000");
  const log = options.log ?? (() => {});
  const password = options.password ?? randomBytes(12).toString("base64url");
  const started = Date.now();
  const hubId = randomUUID();
  const clients = Math.max(1, Math.round(scale * 0.8));
  const plan: SeedPlan = {
    hubId,
    seed,
    channels: scale,
    clients,
    dropouts: Math.round(clients * 0.6),
    visitors: Math.round(clients * 0.3),
    webhooks: Math.min(scale, 200_000),
    now: (options.now ?? new Date()).toISOString(),
  };
  const q = seedSql(plan);

  await db.transaction(async (tx) => {
    await refuseForeignData(tx, options.force ?? false);
    await removePreviousSeed(tx, log);
    const step = async (label: string, run: () => Promise<unknown>) => {
      const t0 = Date.now();
      await run();
      log(`${label.padEnd(34)} ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s`);
    };
    await step("hub and users", async () => {
      await tx.execute(sql`insert into hubs (id, name, partner_id, partner_api_base_url, io_base_url, payment_mode, platform_secret_enc, redirect_url)
        values (${hubId}, 'Seed partner', ${SEED_PARTNER_ID}, 'http://127.0.0.1:9/api/v2', 'http://127.0.0.1:9/io', 'partner',
          ${seedSealing.sealPlatformSecret(hubId, randomBytes(24).toString("base64url"))}, null)`);
      await seedUsers(tx, password);
    });
    const run = (label: string, statement: string) => step(label, () => tx.execute(sql.raw(statement)));
    await withoutPlainIndexes(tx, scale, async () => {
      await run(`channel plan (${scale.toLocaleString("en")})`, q.channelScratch);
      await run("client plan", q.clientScratch);
      for (const statement of ["create index on seed_ch (i)", "create index on seed_ch (id)", "create index on seed_cl (c)", "analyze seed_ch", "analyze seed_cl"]) {
        await tx.execute(sql.raw(statement));
      }
      await run("clients", q.clients);
      await run("channels", q.channels);
      await run("channel_events", q.channelEvents);
      // channels.has_active_key was written with the channels; the trigger that keeps it would rewrite every row.
      await tx.execute(sql.raw("alter table api_keys disable trigger api_keys_active_insert"));
      await step("api_keys (sealed one by one)", () => seedApiKeys(tx, seed, hubId, scale));
      await tx.execute(sql.raw("alter table api_keys enable trigger api_keys_active_insert"));
      await run("template plan", q.templateScratch);
      await run("templates", q.templates);
      await run("template_events", q.templateEvents);
      await run("onboarding_sessions", q.sessions);
      await run("onboarding_events (funnel)", q.funnel);
      await run("onboarding_events (visitors)", q.visitors);
      await run("webhook_events", q.webhooks);
      await run("jobs", q.jobs);
    }, log);
  });
  const counts = await countSeedRows(db, hubId);
  return { hubId, password, counts, seconds: (Date.now() - started) / 1000 };
}
