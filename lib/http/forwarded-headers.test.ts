import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { dropForwardingHeaders } from "./forwarded-headers";

describe("dropForwardingHeaders", () => {
  it("removes what a client may claim about host, scheme, port and address, and nothing else", async () => {
    // Through a real node:http server: the record server.ts edits is the one Node parsed from the wire.
    const server = http.createServer((req, res) => {
      dropForwardingHeaders(req.headers);
      res.end(JSON.stringify(req.headers));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        headers: {
          "X-Forwarded-Host": "evil.test",
          "X-Forwarded-Proto": "https",
          "X-Forwarded-Port": "443",
          "X-Forwarded-For": "203.0.113.9",
          "X-Forwarded-Prefix": "/x",
          Forwarded: "for=203.0.113.9;host=evil.test;proto=https",
          "X-Real-IP": "203.0.113.9",
          Origin: "https://evil.test",
          "X-Portal-Client-Ip": "127.0.0.1",
        },
        body: "{}",
      });
      const seen = (await res.json()) as Record<string, string>;
      for (const gone of ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-for", "x-forwarded-prefix", "forwarded", "x-real-ip"]) {
        expect(seen, gone).not.toHaveProperty(gone);
      }
      expect(seen).toMatchObject({ host: `127.0.0.1:${port}`, origin: "https://evil.test", "x-portal-client-ip": "127.0.0.1" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
