import "server-only";
// Set-based SQL of the demo/benchmark seed (db/seed.ts runs it). Every value derives from (seed, row number)
// through hashint8extended, so one --seed gives the same data on PGlite and PostgreSQL; dates are relative to
// the plan's `now` so the stuck-number rules see what a live partner would.

export type SeedPlan = {
  hubId: string;
  seed: number;
  channels: number;
  clients: number;
  /** Onboarding sessions that never became a client. */
  dropouts: number;
  /** Landing page views that never started a session. */
  visitors: number;
  webhooks: number;
  now: string;
};

const words = (list: string[]) => `array[${list.map((w) => `'${w}'`).join(",")}]`;
const pick = (list: string[], r: string) => `(${words(list)})[1 + floor(${r} * ${list.length})::int]`;

const ADJECTIVES = ["Blue", "Green", "Golden", "Silver", "Red", "Bright", "Urban", "Alpine", "Coastal", "Nordic", "Sunny", "Royal", "Swift", "Happy", "Little", "Grand", "Modern", "Classic", "Fresh", "Wild", "Quiet", "Rapid", "Smart", "True", "Prime", "Clever", "Kind", "Bold", "Noble", "Lucky"];
const NOUNS = ["Harbor", "Oak", "River", "Mountain", "Lake", "Garden", "Bridge", "Valley", "Forest", "Stone", "Maple", "Falcon", "Lotus", "Cedar", "Meadow", "Summit", "Anchor", "Beacon", "Orchard", "Willow", "Pine", "Coral", "Aurora", "Comet", "Harvest", "Island", "Canyon", "Delta", "Horizon", "Meridian"];
const TRADES = ["Bakery", "Dental", "Motors", "Fitness", "Travel", "Fashion", "Pharmacy", "Logistics", "Realty", "Insurance", "Bistro", "Florist", "Optics", "Electronics", "Academy", "Clinic", "Hotel", "Coffee", "Books", "Furniture"];
const SUFFIXES = ["GmbH", "Ltd", "SL", "BV", "SAS", "Srl", "Inc", "AG", "KG", "LLC"];
const COUNTRY_CODES = ["49", "44", "34", "31", "33", "39", "1", "43", "41", "55", "52", "27"];
const TEMPLATE_NAMES = ["order_update", "appointment_reminder", "welcome_message", "shipping_confirmation", "payment_reminder", "otp_code", "feedback_request", "delivery_delay", "booking_confirmed", "seasonal_offer"];
const LANGUAGES = ["en", "de", "es", "en_US", "pt_BR", "fr", "it", "nl"];
const REJECT_REASONS = ["INVALID_FORMAT", "TAG_CONTENT_MISMATCH", "INCORRECT_CATEGORY", "ABUSIVE_CONTENT", "SCAM"];

export function seedSql(plan: SeedPlan) {
  const { hubId, seed, channels: N, clients: M, dropouts: D, visitors: V, webhooks: W } = plan;
  const H = `'${hubId}'::uuid`;
  const T = `'${plan.now}'::timestamptz`;
  const R = (expr: string, salt: number) => `((hashint8extended((${expr})::bigint, ${seed * 1000 + salt}::bigint) & 2147483647)::float8 / 2147483648.0)`;
  // A valid version-4 uuid from a name (zod's z.uuid() checks version and variant).
  const uuidOf = (name: string) => `(select (substr(h, 1, 12) || '4' || substr(h, 14, 3) || '8' || substr(h, 18, 15))::uuid from md5('${seed}:' || ${name}) h)`;
  // Two years of steady growth: density rises linearly towards now (about 8 % of everything in the last 30 days).
  const ageDays = (r: string) => `(730 * (1 - sqrt(${r})))`;
  const secs = (expr: string) => `make_interval(secs => ${expr})`;
  const ext = (expr: string, mult: number, tail: string) => `'S' || lpad(to_hex((${expr})::bigint * ${mult} % 4294967296), 8, '0') || '${tail}'`;

  // Class boundaries: a few hundred stuck numbers at 1M (and a few even at small scales), 2 % in progress, 1 % revoked.
  const stuckShare = (share: number) => Math.max(share, 3 / N);
  const b1 = stuckShare(0.0003);
  const b2 = b1 + 0.02;
  const b3 = b2 + stuckShare(0.0005);
  const b4 = b3 + 0.01;
  const channelScratch = `
create temp table seed_ch on commit drop as
with base as (
  select i, case when i <= ${M} then i else 1 + floor(${R("i", 3)} * ${M})::int end as c, ${R("i", 0)} as r0
  from generate_series(1, ${N}) i
), aged as (
  select i, c,
    case when r0 < ${b1} then 'stuck_pre' when r0 < ${b2} then 'fresh_pre' when r0 < ${b3} then 'nokey'
         when r0 < ${b4} then 'revoked' else 'keyed' end as cls,
    ${ageDays(R("c", 1))} * (case when i <= ${M} then 1 else ${R("i", 2)} end) as age_days
  from base
), dated as (
  select i, c, cls,
    ${T} - ${secs(`case cls when 'fresh_pre' then ${R("i", 2)} * 40 * 3600 when 'stuck_pre' then (3 + ${R("i", 2)} * 117) * 86400
      when 'nokey' then (1 + age_days) * 86400 else age_days * 86400 + 600 end`)} as created_at,
    case when cls in ('fresh_pre', 'stuck_pre') then ${pick(["created", "submitted", "verified", "ready"], R("i", 5))} else 'running' end as status
  from aged
), changed as (
  select *,
    case when status = 'running'
      then greatest(created_at, least(created_at + ${secs(`(0.1 + ${R("i", 4)} * 3) * 86400`)}, ${T} - interval '20 minutes'))
      else created_at + (${T} - created_at) * (${R("i", 6)} * 0.5) end as status_changed_at
  from dated
)
select i, c, cls, status, created_at, status_changed_at,
  ${uuidOf("'ch:' || i")} as id,
  ${ext("i", 2654435761, "CH")} as external_id,
  '+' || ${pick(COUNTRY_CODES, R("i", 11))} || lpad((i::bigint * 982451653 % 1000000000)::text, 9, '0') as phone,
  case status when 'created' then 10 when 'submitted' then 20 when 'verified' then 30 when 'ready' then 40 else 50 end as rank,
  case cls when 'revoked' then 'revoked' when 'keyed' then 'granted' when 'nokey' then 'granted' else 'unknown' end as permission,
  case cls when 'revoked' then status_changed_at + (${T} - status_changed_at) * ${R("i", 7)}
           when 'keyed' then status_changed_at when 'nokey' then status_changed_at end as permission_changed_at
from changed`;

  const clientScratch = `
create temp table seed_cl on commit drop as
select c, min(created_at) - interval '10 minutes' as created_at, min(phone) as phone,
  ${uuidOf("'cl:' || c")} as id,
  ${ext("c", 2246822519, "CL")} as external_id,
  ${pick(ADJECTIVES, R("c", 12))} || ' ' || ${pick(NOUNS, R("c", 13))} || ' ' || ${pick(TRADES, R("c", 14))} || ' ' || ${pick(SUFFIXES, R("c", 15))} as name
from seed_ch group by c`;

  const clients = `
insert into clients (id, hub_id, external_id, name, email, phone, status, hub_created_at, created_at, updated_at)
select id, ${H}, external_id, name,
  lower(replace(name, ' ', '-')) || '-' || c || '@example.com',
  case when ${R("c", 16)} < 0.7 then phone end, 'active', created_at, created_at, created_at
from seed_cl`;

  const channels = `
insert into channels (id, hub_id, client_id, external_id, phone_number, display_name, status, status_rank, status_changed_at,
  last_event_at, permission, permission_changed_at, has_active_key, waba_id, account_mode, source, messaging_base_url, raw, created_at, updated_at)
select s.id, ${H}, cl.id, s.external_id, s.phone, cl.name, s.status, s.rank, s.status_changed_at,
  greatest(s.status_changed_at, s.permission_changed_at), s.permission, s.permission_changed_at, s.cls = 'keyed',
  'waba' || s.i, 'live', case when ${R("s.i", 17)} < 0.15 then 'io' else 'webhook' end,
  case when s.cls in ('keyed', 'revoked') then 'https://waba-v2.360dialog.io' end,
  jsonb_build_object('id', s.external_id, 'status', s.status, 'client_id', cl.external_id,
    'setup_info', jsonb_build_object('phone_number', s.phone, 'phone_name', cl.name), 'waba_account', jsonb_build_object('id', 'waba' || s.i)),
  s.created_at, greatest(s.status_changed_at, s.permission_changed_at)
from seed_ch s join seed_cl cl on cl.c = s.c`;

  const channelEvents = `
insert into channel_events (hub_id, channel_id, event, status, source, data, occurred_at, recorded_at)
select ${H}, s.id, e.event, coalesce(e.status, s.status), 'webhook', e.data, t.at, t.at
from seed_ch s
cross join lateral (values
  (1, 'channel_created', 'created', null::jsonb), (2, 'channel_submitted', 'submitted', null), (3, 'channel_ready', 'ready', null),
  (4, 'channel_running', 'running', null), (5, 'channel_permission_granted', null, null),
  (6, 'permission_revoked', null, '{"previous":"granted"}'::jsonb), (7, 'account_violation', null, '{"violationType":"SPAM"}'::jsonb)
) e(k, event, status, data)
cross join lateral (select case
  when e.k = 1 then s.created_at
  when e.k <= 4 then s.created_at + (s.status_changed_at - s.created_at) * ((e.k - 1)::float8 / greatest(1, case s.rank when 50 then 3 when 40 then 2 when 10 then 1 else 1 end))
  when e.k = 5 then s.status_changed_at + interval '1 minute'
  when e.k = 6 then s.permission_changed_at
  else s.status_changed_at + (${T} - s.status_changed_at) * ${R("s.i", 8)} end as at) t
where e.k = 1 or (e.k = 2 and s.rank >= 20) or (e.k = 3 and s.rank >= 40) or (e.k = 4 and s.rank >= 50)
  or (e.k = 5 and s.rank >= 50 and ${R("s.i", 9)} < 0.4) or (e.k = 6 and s.cls = 'revoked') or (e.k = 7 and s.rank >= 50 and ${R("s.i", 10)} < 0.05)`;

  // Templates: two or three per channel that had a key; statuses as 360dialog lists them (lowercase).
  const templateScratch = `
create temp table seed_tp on commit drop as
select s.i, k, s.id as channel_id, ${uuidOf("'tp:' || s.i || ':' || k")} as id,
  (${words(TEMPLATE_NAMES)})[1 + (floor(${R("s.i", 20)} * ${TEMPLATE_NAMES.length})::int + k) % ${TEMPLATE_NAMES.length}] as name,
  ${pick(LANGUAGES, R("s.i * 4 + k", 21))} as language,
  ${pick(["UTILITY", "UTILITY", "MARKETING", "AUTHENTICATION"], R("s.i * 4 + k", 22))} as category,
  (select case when x < 0.85 then 'approved' when x < 0.93 then 'rejected' when x < 0.933 then 'submitted'
    when x < 0.936 then 'pending' when x < 0.97 then 'paused' else 'draft' end from (select ${R("s.i * 4 + k", 23)} as x) q) as status,
  s.status_changed_at + (${T} - s.status_changed_at) * ${R("s.i * 4 + k", 24)} as created_at
from seed_ch s cross join generate_series(1, 3) k
where s.cls in ('keyed', 'revoked') and (k < 3 or ${R("s.i", 25)} < 0.5)`;

  const templates = `
insert into templates (id, hub_id, channel_id, name, language, category, components, status, rejected_reason, external_id,
  submitted_at, last_synced_at, created_at, updated_at)
select id, ${H}, channel_id, name, language, category,
  jsonb_build_array(jsonb_build_object('type', 'BODY', 'text', 'Hello {{1}}, this is ' || replace(name, '_', ' ') || ' for your booking {{2}}. Reply STOP to opt out.',
    'example', jsonb_build_object('body_text', jsonb_build_array(jsonb_build_array('Maria', 'A-1042'))))),
  status,
  case when status = 'rejected' then ${pick(REJECT_REASONS, R("i * 4 + k", 26))} end,
  case when status <> 'draft' then substr(md5(id::text), 1, 15) end,
  case when status <> 'draft' then created_at end,
  case when status <> 'draft' then created_at + (${T} - created_at) * 0.5 end,
  created_at,
  case when status in ('draft', 'submitted') then created_at else created_at + (${T} - created_at) * (0.2 * ${R("i * 4 + k", 27)}) end
from seed_tp`;

  const templateEvents = `
insert into template_events (template_id, status, reason, category, source, at)
select t.id, e.status, e.reason, t.category, e.source, e.at
from templates t
cross join lateral (values
  (1, 'submitted', null::text, 'submit', t.created_at),
  (2, t.status, t.rejected_reason, 'sync', t.updated_at),
  (3, t.status, null, 'webhook', t.updated_at + interval '2 minutes')
) e(k, status, reason, source, at)
where t.hub_id = ${H} and t.status <> 'draft'
  and (e.k = 1 or (e.k = 2 and t.status <> 'submitted') or (e.k = 3 and t.status = 'approved' and ${R("hashtext(t.id::text)", 28)} < 0.3))`;

  // Sessions 1..M led to client s; the rest dropped out somewhere in the funnel (~2 years, recent ones denser).
  const sessions = `
insert into onboarding_sessions (id, hub_id, method, state_hash, browser_binding_hash, status_token_hash, prefill, status, client_id,
  client_external_id, channel_external_ids, error, expires_at, consumed_at, created_at, updated_at)
select ${uuidOf("'os:' || s")}, ${H},
  ${pick(["connect_button", "connect_button", "popup", "popup", "direct_link", "embedded_signup"], R("s", 30))},
  md5('${seed}:state:' || s), md5('${seed}:browser:' || s), case when cl.id is not null then md5('${seed}:status:' || s) end,
  '{}'::jsonb,
  case when cl.id is not null then 'completed' else ${pick(["expired", "expired", "expired", "cancelled", "failed"], R("s", 31))} end,
  cl.id, cl.external_id,
  case when cl.id is not null then jsonb_build_array(ch.external_id) else '[]'::jsonb end,
  case when cl.id is null and ${R("s", 31)} >= 0.8 then 'partner_api_unavailable' end,
  at + interval '60 minutes', case when cl.id is not null then at + interval '9 minutes' end, at, at + interval '9 minutes'
from generate_series(1, ${M + D}) s
left join seed_cl cl on cl.c = s
left join seed_ch ch on ch.i = s
cross join lateral (select coalesce(cl.created_at - interval '10 minutes', ${T} - ${secs(`${ageDays(R("s", 32))} * 86400 + 3600`)}) as at) a`;

  // The funnel steps each session reached, in order; completed ones reach channel_created (and channel_running).
  const funnel = `
insert into onboarding_events (hub_id, session_id, kind, detail, at)
select ${H}, o.id, f.kind, case when f.k >= 7 then jsonb_build_object('channelId', o.channel_external_ids->>0) end,
  o.created_at + make_interval(mins => f.k)
from onboarding_sessions o
left join seed_ch ch on ch.external_id = o.channel_external_ids->>0
cross join lateral (select case when o.status = 'completed' then (case when ch.cls = 'keyed' then 9 when ch.rank >= 50 then 8 else 7 end)
  else 2 + floor(${R("hashtext(o.state_hash)", 33)} * 3)::int end as reached) r
cross join lateral (values (1, 'landing_viewed'), (2, 'session_started'), (3, 'popup_opened'), (4, 'redirect_received'), (5, 'client_confirmed'),
  (6, 'client_confirmed'), (7, 'channel_created'), (8, 'channel_running'), (9, 'key_stored')) f(k, kind)
where o.hub_id = ${H} and f.k <= r.reached and f.k <> 6`;

  const visitors = `
insert into onboarding_events (hub_id, kind, at)
select ${H}, 'landing_viewed', ${T} - ${secs(`${ageDays(R("v", 34))} * 86400 + 60`)}
from generate_series(1, ${V}) v`;

  // The inbox is pruned in real life: the last ~30 days, ~1 KB bodies, a few failed and dead.
  const webhooks = `
insert into webhook_events (id, hub_id, dedup_key, event, raw_body, headers, signature_result, status, attempts, last_error,
  client_external_id, channel_external_id, received_at, processed_at)
select ${uuidOf("'wh:' || w")}, ${H}, 'id:seed-' || w, ev, body, '{"content-type":"application/json","user-agent":"360dialog-webhooks"}'::jsonb, 'valid',
  st, case when st in ('failed', 'dead') then 8 when st = 'pending' then 0 else 1 end,
  case when st in ('failed', 'dead') then 'Partner API: 503 Service Unavailable' end,
  cl.external_id, case when ev <> 'client_created' then ch.external_id end,
  at, case when st in ('done', 'ignored') then at + interval '80 milliseconds' end
from generate_series(1, ${W}) w
join seed_ch ch on ch.i = 1 + floor(${R("w", 40)} * ${N})::int
join seed_cl cl on cl.c = ch.c
cross join lateral (select
  ${pick(["channel_running", "channel_running", "channel_created", "channel_submitted", "channel_ready", "client_created", "channel_permission_granted", "account_violation"], R("w", 41))} as ev,
  (select case when x < 0.0005 then 'dead' when x < 0.004 then 'failed' when x < 0.006 then 'pending' when x < 0.03 then 'ignored' else 'done' end
     from (select ${R("w", 42)} as x) q) as st,
  ${T} - ${secs(`30 * 86400 * power(${R("w", 43)}, 1.5) + 5`)} as at) p
cross join lateral (select jsonb_build_object('id', 'seed-' || w, 'event', p.ev, 'data', jsonb_build_object(
  'id', ch.external_id, 'client_id', cl.external_id, 'status', ch.status, 'account_mode', 'live', 'created_at', ch.created_at,
  'setup_info', jsonb_build_object('phone_number', ch.phone, 'phone_name', cl.name, 'verification_method', 'sms'),
  'client', jsonb_build_object('id', cl.external_id, 'name', cl.name, 'contact_info', jsonb_build_object('email', 'info@example.com', 'language', 'en',
    'website', 'https://example.com/' || cl.c, 'street_name', 'Example Street ' || (cl.c % 200), 'city', 'Berlin', 'zip_code', '10115', 'country', 'DE')),
  'waba_account', jsonb_build_object('id', 'waba' || ch.i, 'fb_account_status', 'verified', 'namespace', md5('ns' || ch.i), 'name', cl.name,
    'fb_business_id', (1000000000000 + ch.i)::text, 'timezone_id', 'Europe/Berlin', 'on_behalf_of_business_info', jsonb_build_object('name', cl.name, 'type', 'SELF')),
  'integration', jsonb_build_object('enabled', true, 'app_id', md5('app' || ch.i), 'hosting_type', 'cloud_api'),
  'billing', jsonb_build_object('plan', 'regular', 'payment_mode', 'partner', 'currency', 'EUR')))::text as body) b`;

  // A few hundred jobs that went wrong: dead key jobs of half the keyless numbers, dead and retrying webhook jobs.
  const jobs = `
insert into jobs (id, kind, payload, unique_key, status, attempts, max_attempts, run_at, last_error, created_at, updated_at, finished_at)
select ${uuidOf("'jb:key:' || s.i")}, 'api_key.provision', jsonb_build_object('channelId', s.id, 'grantId', 'initial'),
  'api_key:' || s.id || ':initial', 'dead', 8, 8, s.status_changed_at, 'Partner API: 500 Internal Server Error',
  s.status_changed_at, s.status_changed_at + interval '12 hours', least(${T}, s.status_changed_at + interval '12 hours')
from seed_ch s where s.cls = 'nokey' and s.i % 2 = 0
union all
select ${uuidOf("'jb:wh:' || w.id")}, 'webhook.process', jsonb_build_object('webhookEventId', w.id), null,
  case when w.status = 'dead' then 'dead' else 'queued' end, w.attempts, 8,
  case when w.status = 'dead' then w.received_at else ${T} + interval '20 minutes' end,
  w.last_error, w.received_at, w.received_at + interval '1 hour', case when w.status = 'dead' then w.received_at + interval '12 hours' end
from webhook_events w where w.hub_id = ${H} and w.status in ('dead', 'failed', 'pending')`;

  return { channelScratch, clientScratch, clients, channels, channelEvents, templateScratch, templates, templateEvents, sessions, funnel, visitors, webhooks, jobs };
}
