import http from "node:http";
import type { Socket } from "node:net";

// Signed-in GETs against the portal on loopback, timed to the last byte of the body.

export type Answer = { status: number; body: string; ms: number; location?: string; cookies: string[] };

// `timeout`: with none, Node keeps an idle socket until it sees the server close it, and a request written in the
// instant the server closes it is reset (ECONNRESET; bench/dashboard/keep-alive-race.ts reproduces it). With one,
// Node closes idle sockets itself a second before the server's `Keep-Alive: timeout=` hint, or at 30 s.
const agent = new http.Agent({ keepAlive: true, maxSockets: 8, timeout: 30_000 });

// What each socket has carried, so a failed request says which connection failed and how long it had been idle:
// the evidence that tells a keep-alive race (reused just as the server's idle timeout closed it) from a crash.
type SocketLog = { id: number; requests: number; freeSince: number | null };
const sockets = new WeakMap<Socket, SocketLog>();
let socketCount = 0;
agent.on("free", (socket: Socket) => (socketLog(socket).freeSince = Date.now()));
function socketLog(socket: Socket): SocketLog {
  let log = sockets.get(socket);
  if (!log) {
    log = { id: ++socketCount, requests: 0, freeSince: null };
    sockets.set(socket, log);
  }
  return log;
}

export function request(base: string, path: string, options: { method?: string; cookie?: string; form?: Record<string, string> } = {}): Promise<Answer> {
  const url = new URL(path, base);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers: Record<string, string> = { accept: "text/html,application/json" };
  if (options.cookie) headers.cookie = options.cookie;
  if (body) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(url, { method: options.method ?? "GET", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8"),
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          location: res.headers.location,
          cookies: (res.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!),
        }),
      );
      res.on("error", reject);
    });
    let where = "before a socket was assigned";
    req.on("socket", (socket: Socket) => {
      const log = socketLog(socket);
      const idle = log.freeSince === null ? null : Date.now() - log.freeSince;
      log.requests++;
      log.freeSince = null;
      where = `socket #${log.id}, request ${log.requests} on it${idle === null ? " (new connection)" : `, reused after ${idle} ms idle`}`;
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${path}`)));
    req.on("error", (error: NodeJS.ErrnoException) => reject(Object.assign(new Error(`${options.method ?? "GET"} ${path}: ${error.message} (${where})`, { cause: error }), { code: error.code })));
    req.end(body);
  });
}

/** The real next-auth credentials flow: CSRF token (and its cookie), then the callback; returns the cookie header. */
export async function signIn(base: string, email: string, password: string): Promise<string> {
  const csrf = await request(base, "/api/auth/csrf");
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const callback = await request(base, "/api/auth/callback/credentials", {
    method: "POST",
    cookie: csrf.cookies.join("; "),
    form: { csrfToken, email, password, callbackUrl: `${base}/dashboard`, json: "true" },
  });
  const jar = new Map([...csrf.cookies, ...callback.cookies].map((c) => [c.slice(0, c.indexOf("=")), c] as const));
  if (![...jar.keys()].some((k) => k.endsWith("next-auth.session-token"))) {
    throw new Error(`sign-in failed (${callback.status} ${callback.location ?? ""}): no session cookie; a throttled login answers like a wrong password`);
  }
  return [...jar.values()].join("; ");
}

export type Stats = { n: number; p50: number; p95: number; max: number; bytes: number };

export function stats(samples: number[], bytes: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? Number.NaN, bytes };
}

/** `count` GETs, `concurrency` at a time; every answer must be 200 with `expect` in it (else it is no measurement). */
export async function measure(base: string, path: string, cookie: string, expect: string, count: number, concurrency = 1): Promise<Stats> {
  const samples: number[] = [];
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      const answer = await request(base, path, { cookie });
      check(answer, path, expect);
      samples.push(answer.ms);
      bytes = answer.body.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return stats(samples, bytes);
}

export function check(answer: Answer, path: string, expect: string): void {
  if (answer.status !== 200) throw new Error(`${path}: HTTP ${answer.status}${answer.location ? ` → ${answer.location}` : ""}`);
  if (!answer.body.includes(expect)) throw new Error(`${path}: 200 but without "${expect}" (a login page or an error page?)`);
}

/** The "Next page" link of a keyset-paged list, as the page renders it. */
export function nextPageLink(html: string): string | null {
  const m = /href="(\?[^"]*after=[^"]*)"[^>]*>Next page</.exec(html);
  return m ? m[1]!.replace(/&amp;/g, "&") : null;
}
