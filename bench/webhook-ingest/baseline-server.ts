import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import postgres from "postgres";

// The reference receiver for the benchmark: a bare node:http server doing the least a correct receiver must
// (bounded read, HMAC-SHA256 over the raw bytes with a constant-time compare, the same inbox upsert, 200/401/503),
// with the hub id and secret given up front. Run by bench/webhook-ingest/run.ts, never by the portal.

const { BASELINE_PORT, BASELINE_DATABASE_URL, BASELINE_HUB_ID, BASELINE_SECRET } = process.env;
if (!BASELINE_PORT || !BASELINE_DATABASE_URL || !BASELINE_HUB_ID || !BASELINE_SECRET) {
  console.error("baseline-server: BASELINE_PORT, BASELINE_DATABASE_URL, BASELINE_HUB_ID and BASELINE_SECRET are required");
  process.exit(2);
}
const hubId = BASELINE_HUB_ID;
const secret = BASELINE_SECRET;
const MAX_BYTES = 256 * 1024;

const sql = postgres(BASELINE_DATABASE_URL, { max: 10, connect_timeout: 2, idle_timeout: 60, onnotice: () => {} });

function answer(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function verified(body: Buffer, header: string | undefined): boolean {
  if (!header || !/^[0-9a-f]{64}$/i.test(header)) return false;
  const given = Buffer.from(header, "hex");
  return timingSafeEqual(createHmac("sha256", secret).update(body).digest(), given);
}

async function receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== "POST") return answer(res, 405, '{"error":"method not allowed"}');
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_BYTES) return answer(res, 413, '{"error":"payload too large"}');
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const signature = req.headers["x-360dialog-signature"];
  if (!verified(body, typeof signature === "string" ? signature : undefined)) return answer(res, 401, '{"error":"invalid signature"}');

  let event = "invalid";
  let dedupKey = `sha256:${createHash("sha256").update(body).digest("hex")}`;
  try {
    const json = JSON.parse(body.toString("utf8")) as { id?: unknown; event?: unknown };
    if (typeof json.event === "string") event = json.event;
    if (typeof json.id === "string") dedupKey = `id:${json.id}`;
  } catch {
    // stored as "invalid", like the portal
  }
  const headers = { "content-type": req.headers["content-type"] ?? "", "user-agent": req.headers["user-agent"] ?? "" };
  try {
    await sql`
      insert into webhook_events (hub_id, dedup_key, event, raw_body, headers, signature_result, status)
      values (${hubId}, ${dedupKey}, ${event}, ${body.toString("utf8")}, ${sql.json(headers)}, 'valid',
              ${event === "invalid" ? "ignored" : "pending"})
      on conflict (hub_id, dedup_key) do update set deliveries = webhook_events.deliveries + 1
      returning id, (xmax = 0) as inserted`;
  } catch {
    return answer(res, 503, '{"error":"temporarily unavailable"}');
  }
  answer(res, 200, '{"ok":true}');
}

const server = http.createServer((req, res) => {
  receive(req, res).catch(() => answer(res, 503, '{"error":"temporarily unavailable"}'));
});
server.listen(Number(BASELINE_PORT), "127.0.0.1", () => console.info(`baseline listening on 127.0.0.1:${BASELINE_PORT}`));

process.on("SIGTERM", () => {
  server.close();
  void sql.end({ timeout: 2 }).finally(() => process.exit(0));
});
