import http from "node:http";
import type { AddressInfo } from "node:net";

// node bench/dashboard/keep-alive-race.ts — the bench's ECONNRESET reproduced in isolation: a server with
// server.ts's timeouts, and a client that sends its next request on a kept-alive socket after an idle time close to
// the server's keepAliveTimeout. Prints how many of the requests failed, for the agent the bench used to have
// (keepAlive, no timeout) and for the one it has now (its own idle timeout below the server's Keep-Alive hint).

const KEEP_ALIVE_MS = Number(process.env.KEEP_ALIVE_MS ?? 5_000);
const TRIALS = Number(process.env.TRIALS ?? 40);
const BUSY_MS = Number(process.env.BUSY_MS ?? 0);

function server(): Promise<http.Server> {
  const s = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000, keepAliveTimeout: KEEP_ALIVE_MS }, (_req, res) => res.end("ok"));
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve(s)));
}

function get(port: number, agent: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/", agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(req.reusedSocket ? "reused" : "new"));
    });
    req.on("error", reject);
    req.end();
  });
}

async function trial(agent: http.Agent, idleMs: number): Promise<string> {
  const s = await server();
  const { port } = s.address() as AddressInfo;
  try {
    await get(port, agent);
    // The last BUSY_MS of the idle time the client is busy (as the bench is, checking a page's HTML): a close
    // that arrives then is only seen after the next request has been written on the socket.
    await new Promise((r) => setTimeout(r, idleMs - BUSY_MS));
    const until = Date.now() + BUSY_MS;
    while (Date.now() < until);
    return await get(port, agent);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  } finally {
    s.closeAllConnections();
    s.close();
  }
}

for (const [label, make] of [
  ["before: keepAlive, no timeout", () => new http.Agent({ keepAlive: true, maxSockets: 8 })],
  ["now: keepAlive, timeout 30 s (the server's hint lowers it)", () => new http.Agent({ keepAlive: true, maxSockets: 8, timeout: 30_000 })],
] as const) {
  // Idle times spread across the server's keepAliveTimeout, ±20 ms, all trials at once (one server each).
  const idle = Array.from({ length: TRIALS }, (_, i) => KEEP_ALIVE_MS + Number(process.env.FROM ?? -20) + Math.round((Number(process.env.SPAN ?? 40) * i) / TRIALS));
  const outcomes = await Promise.all(idle.map((ms) => trial(make(), ms)));
  const tally = new Map<string, number>();
  for (const o of outcomes) tally.set(o, (tally.get(o) ?? 0) + 1);
  const failedAt = idle.filter((_, i) => !["new", "reused"].includes(outcomes[i]!));
  console.info(`${label}: ${[...tally].map(([k, n]) => `${k} ${n}`).join(", ")}${failedAt.length ? `; failed after ${failedAt.join(", ")} ms idle` : ""}`);
}
process.exit(0);
