import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dedupKeyFor, parseWebhookBody, parseWebhookEvent, progressRank, statusRank, type WebhookEvent } from "@/lib/hub/events";
import { buildIoUrl, buildPermissionsUrl } from "@/lib/hub/io";
import { signIo, type IoSignatureEncoding } from "@/lib/hub/io-signature";
import { parseRedirectQuery, type RedirectQuery } from "@/lib/hub/redirect";
import { WEBHOOK_SIGNATURE_HEADER, verifyWebhookSignature } from "@/lib/hub/webhook-signature";
import { DEFAULT_PARTNER, completeSignup, getPage, hiddenValue, postForm, startHub, startReceiver, waitFor, type Hub, type Received, type Receiver } from "./support";

// docs/hub-contract.md §1-3 (IO URLs, redirect, IO Signature) and §4 (signed partner webhooks, events):
// lib/hub/io, io-signature, redirect, webhook-signature and events against the sandbox hub.

let hub: Hub;
let receiver: Receiver;
let ioBase: string;
beforeAll(async () => {
  hub = await startHub();
  receiver = await startReceiver();
  ioBase = `${hub.url}/dashboard/app`;
});
afterAll(async () => {
  await hub.close();
  await receiver.close();
});
beforeEach(async () => {
  await hub.reset();
  receiver.clear();
});

const PID = DEFAULT_PARTNER.id;
const CALLBACK = "http://127.0.0.1:9/onboarding/redirect";
const STATE = "portal-state_0123456789abcdef";

function redirectOf(response: Response): RedirectQuery {
  expect(response.status).toBe(302);
  const location = response.headers.get("location") ?? "";
  expect(location.startsWith(`${CALLBACK}?`)).toBe(true);
  const parsed = parseRedirectQuery(new URL(location).search);
  if (!parsed.ok) throw new Error(`redirect not parsed: ${parsed.error.message}`);
  // The raw `channels=[a,b]` text and the URL-serialised form read the same.
  expect(parseRedirectQuery(location.slice(location.indexOf("?")))).toEqual(parsed);
  return parsed.value;
}

describe("Integrated Onboarding with buildIoUrl", () => {
  it("opens the sandbox's signup page (v1 and v2 bases), prefilled from the URL", async () => {
    const url = buildIoUrl({ base: ioBase, partnerId: PID, email: "ana+io@client.test", name: "Ana Client" });
    const page = await getPage(url);
    expect(page.status).toBe(200);
    expect(page.html).toContain("Create your 360dialog account");
    expect(page.html).toContain('value="ana+io@client.test"');
    expect(page.html).toContain('value="Ana Client"');
    expect((await getPage(buildIoUrl({ base: `${hub.url}/onboarding`, partnerId: PID }))).status).toBe(200);
    expect((await getPage(buildIoUrl({ base: ioBase, partnerId: "unknownPA" }))).status).toBe(404);
  });

  it("completing the flow redirects with client, channels and state, which the Partner API confirms", async () => {
    const url = buildIoUrl({
      base: ioBase,
      partnerId: PID,
      number: "+4915112345678",
      email: "io@client.test",
      name: "Io Client",
      state: STATE,
      redirectUrl: CALLBACK,
      partnerPayload: "crm-42",
    });
    const first = await getPage(url);
    const { response, esHtml } = await completeSignup(hub.url, first.html, { email: "io@client.test", fullName: "Io Client", company: "Io GmbH" });
    // `number` goes out unencoded (§1.2); the raw "+" must survive.
    expect(esHtml).toContain('name="phone_number" value="+4915112345678"');
    const redirect = redirectOf(response);
    expect(redirect).toMatchObject({ state: STATE, revoked: [] });
    expect(redirect.channels).toHaveLength(1);

    // §11.4: the redirect is a hint; the Partner API has the same client and channel.
    const api = hub.partnerApi();
    expect(await api.getClient(redirect.clientId ?? "")).toMatchObject({ name: "Io GmbH", email: "io@client.test", partnerPayload: "crm-42" });
    const channels = await api.listChannels({ filters: { client_id: redirect.clientId } });
    expect(channels.items.map((c) => [c.id, c.phoneNumber])).toEqual([[redirect.channels[0], "+4915112345678"]]);
  });

  it("buildPermissionsUrl (direct payment): unchecked numbers come back as revoked and lose the permission", async () => {
    const partner = { id: "permPA", apiKey: "perm-partner-key", platformSecret: "perm-platform-secret", paymentMode: "direct", redirectUrl: CALLBACK };
    await hub.control("/partners", partner);
    const { clientId, channelIds } = await hub.control<{ clientId: string; channelIds: string[] }>("/onboard", { partnerId: "permPA", permission: true });
    const second = await hub.control<{ channelIds: string[] }>("/onboard", { partnerId: "permPA", clientId, permission: true });
    const [keep, drop] = [channelIds[0] ?? "", second.channelIds[0] ?? ""];

    const screen = await getPage(buildPermissionsUrl({ base: ioBase, partnerId: "permPA", clientId, state: STATE }));
    expect(screen.status).toBe(200);
    expect(screen.html).toContain("Grant API access");
    const done = await postForm(`${hub.url}/io/permissions`, [["flow", hiddenValue(screen.html, "flow")], ["channel", keep], ["action", "confirm"]]);
    expect(redirectOf(done)).toEqual({ clientId, channels: [keep], revoked: [drop], state: STATE });

    const api = hub.partnerApi({ kind: "api_key", apiKey: partner.apiKey }, { partnerId: "permPA" });
    const shared = await api.listSharedClientNumbers(clientId);
    expect(Object.fromEntries(shared.map((n) => [n.channelId, n.shared]))).toEqual({ [keep]: true, [drop]: false });
    await expect(api.generateApiKey(keep)).resolves.toMatchObject({ address: hub.url });
  });
});

describe("IO Signature (contract §3) with signIo", () => {
  const SECRET = "sig-platform-secret-0001";
  const seed = (encoding: IoSignatureEncoding) =>
    hub.control("/partners", { id: "sigPA", apiKey: "sig-partner-key", platformSecret: SECRET, ioSignature: { enabled: true, encoding }, redirectUrl: CALLBACK });
  // Distinct, fixed seconds: two links signed in the same second are the same signature, hence a reuse.
  const nowS = Math.floor(Date.now() / 1000);
  const signed = (encoding: IoSignatureEncoding, secondsAgo: number, extra: { state?: string; secret?: string } = {}) => {
    const sig = signIo({ partnerId: "sigPA", platformSecret: extra.secret ?? SECRET, encoding, now: new Date((nowS - secondsAgo) * 1000) });
    return buildIoUrl({ base: ioBase, partnerId: "sigPA", ioSignature: sig.signature, ioTimestamp: sig.timestamp, state: extra.state });
  };
  const refusal = async (url: string) => {
    const page = await getPage(url);
    expect(page.status).toBe(403);
    return page.html;
  };

  it("hex: a fresh signature is accepted once; reused, missing, garbled, foreign or expired ones are refused", async () => {
    await seed("hex");
    const url = signed("hex", 0);
    expect(url).toMatch(/io_signature=[0-9a-f]{128}&io_timestamp=\d+$/);
    expect((await getPage(url)).status).toBe(200);
    expect(await refusal(url)).toContain("already used");
    expect(await refusal(buildIoUrl({ base: ioBase, partnerId: "sigPA" }))).toContain("missing");

    const fresh = signed("hex", 1);
    const garbled = fresh.replace(/io_signature=([0-9a-f])/, (_m, c: string) => `io_signature=${c === "0" ? "1" : "0"}`);
    expect(await refusal(garbled)).toContain("wrong");
    expect(await refusal(fresh.replace(/io_signature=[0-9a-f]{8}/, "io_signature="))).toContain("wrong");
    expect(await refusal(signed("hex", 2, { secret: "another-platform-secret" }))).toContain("wrong");
    expect(await refusal(signed("hex", 301))).toContain("expired");
    // The refused attempts did not use up the real signature.
    expect((await getPage(fresh)).status).toBe(200);
  });

  it("base64: accepted once, hex refused, and the signed flow completes with the state echoed", async () => {
    await seed("base64");
    expect(await refusal(signed("hex", 3))).toContain("wrong");
    const url = signed("base64", 4, { state: STATE });
    expect(decodeURIComponent(/io_signature=([^&]+)/.exec(url)?.[1] ?? "")).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    const first = await getPage(url);
    expect(first.status).toBe(200);
    expect(await refusal(url)).toContain("already used");
    const { response } = await completeSignup(hub.url, first.html, { email: "sig@client.test", fullName: "Sig", company: "Sig Co", phone: "+4915100000042" });
    const redirect = redirectOf(response);
    expect(redirect.state).toBe(STATE);
    const api = hub.partnerApi({ kind: "api_key", apiKey: "sig-partner-key" }, { partnerId: "sigPA" });
    expect((await api.getChannel(redirect.channels[0] ?? ""))?.clientId).toBe(redirect.clientId);
  });
});

describe("partner webhooks (contract §4) with verifyWebhookSignature, parseWebhookEvent and dedupKeyFor", () => {
  const secret = DEFAULT_PARTNER.platformSecret;
  const current = [{ secret, label: "current" as const }];
  const headerOf = (r: Received) => String(r.headers[WEBHOOK_SIGNATURE_HEADER]);
  const jsonOf = (r: Received): unknown => JSON.parse(r.rawBody.toString("utf8"));
  const received = (n: number) => waitFor(() => receiver.received.length >= n && [...receiver.received], `${n} webhooks`);

  async function useWebhooks(encoding: "hex" | "base64") {
    await hub.control("/partners", { id: PID, apiKey: DEFAULT_PARTNER.apiKey, platformSecret: secret, webhookSignatureEncoding: encoding });
    expect(await hub.partnerApi().setWebhookUrl(`${receiver.url}/hook`)).toBe(`${receiver.url}/hook`);
  }

  function expectVerified(r: Received) {
    expect(verifyWebhookSignature({ rawBody: r.rawBody, header: headerOf(r), secrets: current })).toEqual({ ok: true, matched: "current" });
    const other = [{ secret: "another-platform-secret", label: "current" as const }];
    expect(verifyWebhookSignature({ rawBody: r.rawBody, header: headerOf(r), secrets: other })).toEqual({ ok: false, reason: "mismatch" });
  }

  it.each(["hex", "base64"] as const)("onboarding sends signed (%s) client and channel events in lifecycle order", async (encoding) => {
    await useWebhooks(encoding);
    const { clientId, channelIds } = await hub.onboard({ email: "hook@client.test", companyName: "Hook Co" });
    const deliveries = await received(6);
    for (const r of deliveries) {
      expect(headerOf(r)).toMatch(encoding === "hex" ? /^[0-9a-f]{64}$/ : /^[A-Za-z0-9+/]{43}=$/);
      expectVerified(r);
    }
    const first = deliveries[0];
    if (!first) throw new Error("no delivery");
    const tampered = Buffer.from(first.rawBody);
    const at = tampered.length - 2;
    tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
    expect(verifyWebhookSignature({ rawBody: tampered, header: headerOf(first), secrets: current })).toEqual({ ok: false, reason: "mismatch" });
    const rotated = [{ secret: "the-new-platform-secret", label: "current" as const }, { secret, label: "previous" as const }];
    expect(verifyWebhookSignature({ rawBody: first.rawBody, header: headerOf(first), secrets: rotated })).toEqual({ ok: true, matched: "previous" });

    const events = deliveries.map((r) => parseWebhookEvent(jsonOf(r)));
    expect(deliveries.map((r) => parseWebhookBody(r.rawBody))).toEqual(events);
    expect(events[0]).toMatchObject({ kind: "client", event: "client_created", client: { id: clientId, name: "Hook Co", email: "hook@client.test" } });
    const channelEvents = events.slice(1).map((e) => {
      if (e.kind !== "channel") throw new Error(`expected a channel event, got ${e.kind}`);
      expect(e.channel).toMatchObject({ id: channelIds[0], clientId });
      return e;
    });
    expect(channelEvents.map((e) => [e.event, e.channel.status])).toEqual([
      ["channel_created", "created"],
      ["channel_submitted", "unverified"],
      ["channel_ready", "ready"],
      ["channel_running", "running"],
      ["channel_live", "running"],
    ]);
    // Status ranks never go back and rise with every status change ("live" is an event, not a status: §5.4).
    const ranks = channelEvents.map((e) => statusRank(e.channel.status) ?? -1);
    expect(ranks).toEqual([10, 20, 40, 50, 50]);

    const keys = deliveries.map((r, i) => dedupKeyFor(r.rawBody, events[i] as WebhookEvent));
    expect(new Set(keys).size).toBe(6);
    expect(keys).toEqual(deliveries.map((r) => `id:${(jsonOf(r) as { id: string }).id}`));
    const log = await hub.control<{ deliveries: { eventId: string; outcome: string }[] }>("/deliveries?kind=partner");
    expect(log.deliveries.map((d) => `id:${d.eventId}`)).toEqual(keys);
    expect(log.deliveries.every((d) => d.outcome === "delivered")).toBe(true);
  });

  // KNOWN MISMATCH (lib/hub/events.ts progressRank): `account_mode: "live"` is ranked 60 ("went live"), but
  // account_mode is the sandbox|live mode of the number (§4.5: the contract's own channel_running example carries
  // "live"), and the sandbox sends it from channel_created on, so every event reads as live. Drop `.fails` once
  // progressRank ranks by status and event name only.
  it("progressRank rises with every lifecycle event", async () => {
    await useWebhooks("hex");
    await hub.onboard({});
    const progress = (await received(6)).slice(1).map((r) => {
      const e = parseWebhookEvent(jsonOf(r));
      return e.kind === "channel" ? progressRank(e.event, e.channel) : null;
    });
    expect(progress).toEqual([10, 20, 40, 50, 60]);
  });

  it("classifies permission, template status, account and unknown events", async () => {
    await useWebhooks("hex");
    const channelId = (await hub.onboard({})).channelIds[0] ?? "";
    const key = await hub.partnerApi().generateApiKey(channelId);
    const template = await hub.messagingApi(key.apiKey, key.address).createTemplate({
      name: "hook_template",
      category: "MARKETING",
      language: "en",
      components: [{ type: "BODY", text: "Hello" }],
    });
    await hub.control(`/channels/${channelId}/permission`, { granted: false });
    await hub.control(`/channels/${channelId}/permission`, { granted: true });
    // The sandbox tells template verdicts only to the WABA webhook (docs/waba-webhook.md §1); a partner template event
    // in 360dialog's reference shape, should one ever come, is still read.
    await hub.control(`/templates/${template.id ?? ""}/status`, { status: "rejected", rejectedReason: "TAG_CONTENT_MISMATCH" });
    await hub.control("/events", {
      partnerId: PID,
      event: "waba_template_status_changed",
      data: { id: template.id, name: "hook_template", language: "en", status: "rejected", rejected_reason: "TAG_CONTENT_MISMATCH", channel_id: channelId },
    });
    await hub.control("/events", { partnerId: PID, event: "account_violation", data: { phone_number: "+4915100000077", violation_type: "SPAM" } });
    await hub.control("/events", { partnerId: PID, event: "template_messaging_disabled", channelId });
    await hub.control("/events", { partnerId: PID, event: "something_new", data: { x: 1 } });
    const deliveries = (await received(11)).slice(6);
    deliveries.forEach(expectVerified);
    const [permission, status, account, messaging, unknown] = deliveries.map((r) => parseWebhookEvent(jsonOf(r)));
    expect(permission).toMatchObject({ kind: "channel", event: "channel_permission_granted", channel: { id: channelId } });
    expect(status).toMatchObject({
      kind: "template",
      event: "waba_template_status_changed",
      change: "status",
      templateId: template.id,
      templateName: "hook_template",
      language: "en",
      status: "rejected",
      reason: "TAG_CONTENT_MISMATCH",
      channelId,
    });
    expect(account).toMatchObject({ kind: "account", event: "account_violation", phoneNumber: "+4915100000077", violationType: "SPAM" });
    expect(messaging).toMatchObject({ kind: "template", change: "messaging_disabled", channelId });
    expect(unknown).toMatchObject({ kind: "unknown", event: "something_new" });
  });

  it("a duplicated delivery has the same bytes, a valid signature and the same dedup key", async () => {
    await useWebhooks("hex");
    await hub.control("/faults", { duplicateDeliveries: 1 });
    try {
      await hub.onboard({});
      const deliveries = await received(12);
      deliveries.forEach(expectVerified);
      const keys = deliveries.map((r) => dedupKeyFor(r.rawBody, parseWebhookEvent(jsonOf(r))));
      expect(new Set(keys).size).toBe(6);
      for (let i = 0; i < 12; i += 2) {
        expect(keys[i + 1]).toBe(keys[i]);
        expect(deliveries[i + 1]?.rawBody.equals(deliveries[i]?.rawBody ?? Buffer.alloc(0))).toBe(true);
      }
    } finally {
      await hub.control("/faults", {});
    }
  });
});
