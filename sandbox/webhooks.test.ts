import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TEST_PARTNER, call, onboard, seedPartner, startReceiver, startTestSandbox, waitFor, type Receiver, type TestSandbox } from "@/test/support/sandbox";
import type { Delivery } from "./types";

let t: TestSandbox;
let receiver: Receiver;
const LIFECYCLE = ["client_created", "channel_created", "channel_submitted", "channel_ready", "channel_running", "channel_live"];

beforeAll(async () => {
  t = await startTestSandbox();
  receiver = await startReceiver();
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});
beforeEach(async () => {
  await call(t.url, "/_sandbox/reset", { method: "POST" });
  await seedPartner(t.url, { webhookUrl: receiver.url });
  receiver.reset();
});

const events = () => receiver.received.map((r) => r.json?.event as string);
const received = (n: number) => waitFor(() => receiver.received.length >= n && receiver.received, 4000, `${n} webhooks`);

function verify(body: string, header: string, encoding: "hex" | "base64"): boolean {
  const expected = Buffer.from(createHmac("sha256", TEST_PARTNER.platformSecret).update(body).digest(encoding));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

describe("partner webhooks", () => {
  it("delivers the lifecycle events in order, signed with HMAC-SHA256 of the raw body (hex)", async () => {
    const { clientId, channelIds } = await onboard(t.url, { email: "w@client.test" });
    await received(6);
    expect(events()).toEqual(LIFECYCLE);
    for (const r of receiver.received) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(verify(r.body, String(r.headers["x-360dialog-signature"]), "hex")).toBe(true);
      expect(Object.keys(r.json)).toEqual(["id", "event", "data"]);
      expect(r.json.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    const [created, channelCreated, , , running] = receiver.received;
    expect(created?.json.data.client).toMatchObject({ id: clientId, contact_info: { email: "w@client.test" } });
    expect(channelCreated?.json.data).toMatchObject({ id: channelIds[0], client_id: clientId, status: "created" });
    expect(running?.json.data).toMatchObject({ status: "running", client: { id: clientId } });
    expect(new Set(receiver.received.map((r) => r.json.id)).size).toBe(6);
  });

  it("sends partner events without a signature while the unsignedDeliveries fault is on", async () => {
    await call(t.url, "/_sandbox/faults", { method: "POST", json: { unsignedDeliveries: true } });
    await onboard(t.url);
    await received(6);
    for (const r of receiver.received) expect(r.headers["x-360dialog-signature"]).toBeUndefined();
    await call(t.url, "/_sandbox/faults", { method: "POST", json: {} });
  });

  it("signs in base64 when the partner says so", async () => {
    await seedPartner(t.url, { webhookSignatureEncoding: "base64" });
    await onboard(t.url);
    await received(6);
    const first = receiver.received[0];
    expect(verify(first?.body ?? "", String(first?.headers["x-360dialog-signature"]), "base64")).toBe(true);
  });

  it("retries 500s with backoff, keeps the order, and records every attempt", async () => {
    receiver.respond = (n) => (n < 2 ? 500 : 200);
    await onboard(t.url);
    await received(8);
    expect(events()).toEqual(["client_created", "client_created", ...LIFECYCLE]);
    const res = await call(t.url, "/_sandbox/deliveries?event=client_created");
    const attempts = res.body.deliveries as Delivery[];
    expect(attempts.map((d) => [d.attempt, d.statusCode, d.outcome])).toEqual([
      [1, 500, "failed"],
      [2, 500, "failed"],
      [3, 200, "delivered"],
    ]);
    expect(new Set(attempts.map((d) => d.eventId)).size).toBe(1);
    expect(attempts[0]).toMatchObject({ kind: "partner", url: receiver.url, error: null, duplicate: false });
    expect(typeof attempts[0]?.durationMs).toBe("number");
    expect(Date.parse(attempts[0]?.at ?? "")).not.toBeNaN();
    const all = await call(t.url, "/_sandbox/deliveries");
    expect(all.body.deliveries.map((d: Delivery) => d.seq)).toEqual([...Array(all.body.count).keys()].map((i) => i + 1));
  });

  it("gives up after the maximum attempts and records network errors", async () => {
    await call(t.url, "/_sandbox/config", { method: "POST", json: { webhookMaxAttempts: 2 } });
    receiver.respond = () => 503;
    await call(t.url, "/_sandbox/events", { method: "POST", json: { partnerId: TEST_PARTNER.id, event: "account_violation", data: { x: 1 } } });
    const gaveUp = await waitFor(() => t.sb.state.deliveries.find((d) => d.outcome === "gave_up"), 2000, "give up");
    expect(gaveUp).toMatchObject({ attempt: 2, statusCode: 503, event: "account_violation" });

    await seedPartner(t.url, { webhookUrl: "http://127.0.0.1:1/unreachable" });
    await call(t.url, "/_sandbox/events", { method: "POST", json: { partnerId: TEST_PARTNER.id, event: "probe" } });
    const failed = await waitFor(() => t.sb.state.deliveries.find((d) => d.event === "probe" && d.outcome === "gave_up"), 2000, "network error");
    expect(failed.statusCode).toBeNull();
    expect(failed.error).toMatch(/network error/);
  });

  it("records a skipped delivery when no webhook URL is set", async () => {
    await seedPartner(t.url, { webhookUrl: null });
    await onboard(t.url);
    const skipped = await waitFor(() => t.sb.state.deliveries.length === 6 && t.sb.state.deliveries, 2000, "skips");
    expect(skipped.every((d) => d.outcome === "skipped" && d.error === "no webhook url" && d.url === null)).toBe(true);
    expect(skipped.map((d) => d.event)).toEqual(LIFECYCLE);
  });

  it("spaces lifecycle steps by the configured delay", async () => {
    await seedPartner(t.url, { lifecycleDelayMs: 40 });
    const started = Date.now();
    const { channelIds } = await onboard(t.url);
    expect(t.sb.state.channels.get(channelIds[0] ?? "")?.status).toBe("created");
    await received(6);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(events()).toEqual(LIFECYCLE);
    expect(t.sb.state.channels.get(channelIds[0] ?? "")?.status).toBe("running");
  });

  it("emits the matching event when the control API sets a status", async () => {
    await seedPartner(t.url, { lifecycleDelayMs: 60_000 });
    const { channelIds } = await onboard(t.url);
    const res = await call(t.url, `/_sandbox/channels/${channelIds[0] ?? ""}/status`, { method: "POST", json: { status: "ready" } });
    expect(res.body).toMatchObject({ event: "channel_ready", channel: { status: "ready" } });
    await received(3);
    expect(events()).toEqual(["client_created", "channel_created", "channel_ready"]);
  });
});

describe("delivery faults", () => {
  it("drops deliveries at the configured rate", async () => {
    await call(t.url, "/_sandbox/faults", { method: "POST", json: { dropDeliveries: 1 } });
    await onboard(t.url);
    await waitFor(() => t.sb.state.deliveries.length === 6, 2000, "drops");
    expect(t.sb.state.deliveries.every((d) => d.outcome === "dropped")).toBe(true);
    expect(receiver.received).toHaveLength(0);
  });

  it("duplicates deliveries with the same body and event id", async () => {
    await call(t.url, "/_sandbox/faults", { method: "POST", json: { duplicateDeliveries: 1 } });
    await onboard(t.url);
    await received(12);
    expect(events()).toEqual(LIFECYCLE.flatMap((e) => [e, e]));
    expect(receiver.received[0]?.body).toBe(receiver.received[1]?.body);
    // The sandbox records a delivery when its answer arrives, which may come after the receiver saw the body.
    await waitFor(() => t.sb.state.deliveries.filter((d) => d.duplicate).length === 6, 2000, "six duplicates recorded");
  });

  it("reorders events that are pending together", async () => {
    await call(t.url, "/_sandbox/faults", { method: "POST", json: { outOfOrderDeliveries: true } });
    await onboard(t.url);
    await received(6);
    expect(events()).toEqual([...LIFECYCLE].reverse());
  });
});
