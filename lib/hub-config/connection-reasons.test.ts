import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPartnerApi } from "../hub/partner-api";
import { explainHubFailure } from "./health";

// docs/hub-settings.md §6: "Test connection" says why, against real sockets: a closed port, a server answering 401
// and 404, a server that never answers, a name that does not resolve, and TLS that does not fit.

const hub = { partnerId: "testPA" };
const servers: Server[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function failureOf(baseUrl: string, timeoutMs = 3_000) {
  const api = createPartnerApi({ baseUrl, partnerId: hub.partnerId, auth: { kind: "api_key", apiKey: "wrong-key-123" }, retries: 0, timeoutMs, circuitBreaker: false });
  try {
    await api.getPartner();
  } catch (error) {
    return explainHubFailure(error, hub);
  }
  throw new Error("the call succeeded");
}

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

describe("connection test reasons", () => {
  it("a closed port: connection refused, with the host", async () => {
    const base = await closedPort();
    const f = await failureOf(base);
    expect(f.reason).toBe("refused");
    expect(f.message).toContain(new URL(base).host);
    expect(f.message).toContain("ECONNREFUSED");
  });

  it("a port fetch refuses (the Fetch standard's blocklist, e.g. 9): says so", async () => {
    const f = await failureOf("http://127.0.0.1:9");
    expect(f.reason).toBe("bad_port");
    expect(f.message).toContain("127.0.0.1:9 uses a port");
  });

  it("401: the key is refused, and the message says what to do", async () => {
    const base = await serve((_req, res) => res.writeHead(401, { "content-type": "application/json" }).end('{"meta":{"success":false,"http_code":401,"developer_message":"Invalid API key"}}'));
    const f = await failureOf(base);
    expect(f).toMatchObject({ code: "upstream:hub_auth", reason: "401" });
    expect(f.message).toContain("401 Unauthorized");
    expect(f.message).toContain(`${base}/api/v2/partners/testPA`);
    expect(f.message).toMatch(/API Keys/);
    expect(f.message).not.toContain("wrong-key-123");
  });

  it("403: the key works but not for this partner", async () => {
    const base = await serve((_req, res) => res.writeHead(403).end());
    expect(await failureOf(base)).toMatchObject({ code: "upstream:hub_forbidden", reason: "403" });
  });

  it("404: names the URL tried and the likely causes", async () => {
    const base = await serve((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<h1>Not found</h1>"));
    const f = await failureOf(base);
    expect(f).toMatchObject({ code: "upstream:hub_not_found", reason: "404" });
    expect(f.message).toContain(`${base}/api/v2/partners/testPA`);
    expect(f.message).toMatch(/partner ID testPA/);
  });

  it("a server that never answers: timeout", async () => {
    const base = await serve(() => {});
    const f = await failureOf(base, 300);
    expect(f).toMatchObject({ code: "upstream:hub_timeout", reason: "timeout" });
  });

  it("a name that does not resolve: DNS", async () => {
    const f = await failureOf("https://no-such-host.invalid", 10_000);
    expect(f.reason).toBe("dns");
    expect(f.message).toContain("no-such-host.invalid");
  }, 20_000);

  it("https to a server speaking plain http: TLS", async () => {
    const base = await serve((_req, res) => res.writeHead(200).end("{}"));
    const f = await failureOf(base.replace("http://", "https://"));
    expect(f.reason).toBe("tls");
    expect(f.message).toMatch(/^TLS:/);
  });

  describe("a certificate that does not fit", () => {
    let dir: string | undefined;
    let base: string | undefined;
    beforeAll(async () => {
      try {
        dir = mkdtempSync(join(tmpdir(), "hub-tls-"));
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=elsewhere.test", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
      } catch {
        return; // no openssl: the plain-http case above still covers TLS
      }
      const server = createTlsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (_req, res) => res.writeHead(200).end("{}"));
      servers.push(server as unknown as Server);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("a self-signed certificate for another name: TLS, with the runtime's code", async (ctx) => {
      if (!base) return ctx.skip();
      const f = await failureOf(base);
      expect(f.reason).toBe("tls");
      expect(f.message).toMatch(/SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY/);
    });
  });
});
