import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startSandbox } from "./server";
import { TEST_PARTNER, call, onboard, seedPartner, startTestSandbox, waitFor } from "@/test/support/sandbox";

const dir = mkdtempSync(path.join(tmpdir(), "sandbox-state-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("state file", () => {
  it("survives a restart: partners, clients, channels, keys, templates and spent IO signatures", async () => {
    const stateFile = path.join(dir, "round-trip.json");
    const first = await startTestSandbox({ stateFile });
    await seedPartner(first.url, { ioSignature: { enabled: true, encoding: "hex" } });
    const { clientId, channelIds } = await onboard(first.url, { email: "keep@client.test" });
    const ch = channelIds[0] ?? "";
    const key = await call(first.url, `/api/v2/partners/${TEST_PARTNER.id}/channels/${ch}/api_keys`, { method: "POST", key: TEST_PARTNER.apiKey });
    const apiKey = String(key.body.api_key);
    const tpl = await call(first.url, "/v1/configs/templates", {
      method: "POST",
      d360: apiKey,
      json: { name: "kept", category: "UTILITY", language: "en", components: [{ type: "BODY", text: "Hello" }] },
    });
    expect(tpl.status).toBe(201);
    const ts = Math.floor(first.clock.now() / 1000);
    const sig = createHmac("sha512", TEST_PARTNER.platformSecret).update(`${TEST_PARTNER.id}|${ts}`).digest("hex");
    const signed = `/onboarding/${TEST_PARTNER.id}?io_signature=${sig}&io_timestamp=${ts}`;
    expect((await fetch(first.url + signed)).status).toBe(200);

    // The debounced write lands without a close.
    await waitFor(() => existsSync(stateFile) && readFileSync(stateFile, "utf8").includes('"kept"'), 2000, "state file");
    await first.close();

    const second = await startTestSandbox({ stateFile });
    try {
      const state = (await call(second.url, "/_sandbox/state")).body;
      expect(state.partners.map((p: { id: string }) => p.id)).toEqual([TEST_PARTNER.id]);
      expect(state.partners[0].apiKey).not.toBe(TEST_PARTNER.apiKey);
      expect(state.clients[0]).toMatchObject({ id: clientId, contact_info: { email: "keep@client.test" } });
      expect(state.channels[0]).toMatchObject({ id: ch, status: "running" });
      expect(state.apiKeys).toHaveLength(1);
      expect(state.templates[0]).toMatchObject({ name: "kept", id: tpl.body.id });
      expect((await call(second.url, "/v1/configs/templates", { d360: apiKey })).body.total).toBe(1);
      expect((await call(second.url, `/api/v2/partners/${TEST_PARTNER.id}`, { key: TEST_PARTNER.apiKey })).status).toBe(200);
      expect((await fetch(second.url + signed)).status).toBe(403);
    } finally {
      await second.close();
    }
  });

  it("refuses to start on a file that is not a sandbox state file", async () => {
    const stateFile = path.join(dir, "broken.json");
    writeFileSync(stateFile, "{ not json");
    await expect(startSandbox({ port: 0, stateFile })).rejects.toThrow(/not valid JSON/);
    writeFileSync(stateFile, JSON.stringify({ version: 2 }));
    await expect(startSandbox({ port: 0, stateFile })).rejects.toThrow(/not a sandbox state file/);
    expect(readFileSync(stateFile, "utf8")).toBe(JSON.stringify({ version: 2 }));
  });

  it("reset empties the state and re-seeds the default partner", async () => {
    const sb = await startSandbox({ port: 0, seedDefault: { webhookUrl: "http://127.0.0.1:9/hook" } });
    try {
      await call(sb.url, "/_sandbox/onboard", { method: "POST", json: { partnerId: "sandboxPA" } });
      expect(sb.state.clients.size).toBe(1);
      await call(sb.url, "/_sandbox/reset", { method: "POST" });
      expect(sb.state.clients.size).toBe(0);
      const partner = await call(sb.url, "/api/v2/partners/sandboxPA", { key: "sandbox-partner-key" });
      expect(partner.body).toMatchObject({ id: "sandboxPA", webhook_url: "http://127.0.0.1:9/hook" });
    } finally {
      await sb.close();
    }
  });
});
