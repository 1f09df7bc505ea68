import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { POST } from "@/app/api/webhooks/360dialog/[partnerId]/route";
import { getDatabaseHandle } from "@/lib/db";
import { jobRegistry } from "@/lib/job-registry";
import { startJobsInProcess } from "@/lib/jobs/start";

/*
 * One portal instance, as far as the webhook fast path goes (test/proofs/two-instances.db.test.ts starts two of these):
 * the process's database from DATABASE_URL (lib/db.ts, migrations included), the in-process job runner exactly as
 * lib/boot.ts starts it, and the webhook route's POST served over node:http instead of Next.js.
 * Run: node --conditions=react-server --import tsx test/proofs/instance.ts  (prints {"proofReady": <port>}).
 */

const ROUTE = /^\/api\/webhooks\/360dialog\/([^/?#]+)$/;

const handle = await getDatabaseHandle();
const runner = await startJobsInProcess(jobRegistry);

const server = createServer((req, res) => {
  const match = ROUTE.exec(req.url ?? "");
  if (req.method !== "POST" || !match) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
      else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    }
    const request = new Request(`http://127.0.0.1${req.url}`, { method: "POST", headers, body: Buffer.concat(chunks) });
    void POST(request, { params: Promise.resolve({ partnerId: decodeURIComponent(match[1]!) }) })
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch(() => res.writeHead(500).end());
  });
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ proofReady: (server.address() as AddressInfo).port })}\n`);
});

process.once("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void Promise.resolve(runner?.stop())
    .then(() => handle.close())
    .finally(() => process.exit(0));
});
