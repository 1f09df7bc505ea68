import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TEST_PARTNER, call, onboard, seedPartner, startReceiver, startTestSandbox, waitFor, type Receiver, type TestSandbox } from "@/test/support/sandbox";

// A number's end and troubles as the sandbox plays them (docs/channel-lifecycle.md): cancellation events through
// the signed partner-webhook delivery, violations with the documented fields, injected key failures.

let t: TestSandbox;
let receiver: Receiver;
const P = `/api/v2/partners/${TEST_PARTNER.id}`;

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

const eventsOf = (name: string) => receiver.received.filter((r) => r.json?.event === name);

describe("a number's end and troubles", () => {
  it("requests, revokes and processes a cancellation, each with its event carrying the channel", async () => {
    const { channelIds } = await onboard(t.url, { permission: true });
    const id = channelIds[0]!;
    await waitFor(() => eventsOf("channel_live").length === 1, 4000, "channel_live");
    const key = await call(t.url, `${P}/channels/${id}/api_keys`, { method: "POST", key: TEST_PARTNER.apiKey });
    expect(key.status).toBe(201);

    const req = await call(t.url, `/_sandbox/channels/${id}/cancellation`, { method: "POST", json: { step: "request" } });
    expect(req.status).toBe(202);
    const [requested] = await waitFor(() => eventsOf("cancellation_request").length === 1 && eventsOf("cancellation_request"), 4000, "request");
    expect(requested!.json.data).toMatchObject({ id, status: "running", terminated_at: expect.stringMatching(/T23:59:59/) });
    // Signed like every partner event (the header the portal verifies).
    expect(requested!.headers["x-360dialog-signature"]).toEqual(createHmac("sha256", TEST_PARTNER.platformSecret).update(requested!.body).digest("hex"));

    await call(t.url, `/_sandbox/channels/${id}/cancellation`, { method: "POST", json: { step: "revoke" } });
    const [revoked] = await waitFor(() => eventsOf("cancellation_revoke").length === 1 && eventsOf("cancellation_revoke"), 4000, "revoke");
    expect(revoked!.json.data).toMatchObject({ id, terminated_at: null });

    await call(t.url, `/_sandbox/channels/${id}/cancellation`, { method: "POST", json: { step: "process" } });
    const [processed] = await waitFor(() => eventsOf("cancellation_processed").length === 1 && eventsOf("cancellation_processed"), 4000, "processed");
    expect(processed!.json.data).toMatchObject({ id, status: "terminated" });
    // The key stopped working with the number.
    expect((await call(t.url, "/v1/configs/templates", { d360: key.body.api_key })).status).toBe(401);
    expect((await call(t.url, `/_sandbox/channels/${id}/cancellation`, { method: "POST", json: { step: "later" } })).status).toBe(400);
  });

  it("sends violations and restrictions with the documented fields, Meta's restriction shape when asked", async () => {
    const { channelIds } = await onboard(t.url, { permission: true, phoneNumber: "+4915199990000" });
    const id = channelIds[0]!;
    await call(t.url, `/_sandbox/channels/${id}/violation`, { method: "POST", json: { event: "account_violation", violationType: "SCAM" } });
    await call(t.url, `/_sandbox/channels/${id}/violation`, { method: "POST", json: { event: "account_restriction", restrictionType: "RESTRICTED_BIZ_INITIATED_MESSAGING" } });
    await waitFor(() => eventsOf("account_restriction").length === 1, 4000, "restriction");
    expect(eventsOf("account_violation")[0]!.json.data).toEqual({ phone_number: expect.stringContaining("4915199990000"), violation_type: "SCAM" });
    expect(eventsOf("account_restriction")[0]!.json.data).toMatchObject({ restriction_info: [{ restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING" }] });
  });

  it("fails API-key generation the asked number of times, in 360dialog's error envelope, then issues keys again", async () => {
    const { channelIds } = await onboard(t.url, { permission: true });
    const id = channelIds[0]!;
    await waitFor(() => eventsOf("channel_live").length === 1, 4000, "channel_live");
    await call(t.url, "/_sandbox/faults", { method: "POST", json: { apiKeyFailures: { count: 2, status: 503 } } });
    for (let i = 0; i < 2; i++) {
      const failed = await call(t.url, `${P}/channels/${id}/api_keys`, { method: "POST", key: TEST_PARTNER.apiKey });
      expect(failed.status).toBe(503);
      expect(failed.body.meta).toMatchObject({ success: false, http_code: 503, developer_message: expect.any(String), details: [expect.any(String)] });
    }
    expect((await call(t.url, `${P}/channels/${id}/api_keys`, { method: "POST", key: TEST_PARTNER.apiKey })).status).toBe(201);
  });
});
