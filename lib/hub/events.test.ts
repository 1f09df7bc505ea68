import { createHash } from "node:crypto";
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import {
  CHANNEL_EVENTS,
  CHANNEL_STATUSES,
  dedupKeyFor,
  isRunning,
  parseWebhookBody,
  parseWebhookEvent,
  progressRank,
  statusRank,
  type WebhookEvent,
} from "./events";

// The channel payload of docs/hub-contract.md §4.5 (nesting from the .NET client), with realistic values.
const channelRunning = {
  id: "evt_9f2c1",
  event: "channel_running",
  data: {
    id: "rT4pXyCH",
    client_id: "oaY9LLfUCL",
    status: "running",
    account_mode: "live",
    created_at: "2023-02-28T14:36:45Z",
    billing_started_at: null,
    terminated_at: null,
    current_limit: "TIER_1K",
    current_quality_rating: "GREEN",
    client: {
      id: "oaY9LLfUCL",
      name: "Acme",
      partner_payload: "tenant-42",
      contact_info: { email: "ops@acme.test", full_name: "Ana Ops", phone: "+4915123456789", language: "en", country: "DE" },
    },
    setup_info: {
      phone_number: "+4915123456789",
      phone_name: "Acme",
      was_in_use: false,
      ivr: false,
      verification_method: "sms",
      default_language: "en",
      certificate: null,
      error: null,
    },
    waba_account: {
      id: "wAb4ccount",
      fb_account_status: "verified",
      namespace: "c8ae5f90_307a_ca4c_b8f6_d1e2a2573574",
      fb_business_id: "1234567890",
      on_behalf_of_business_info: { id: "987", name: "Acme GmbH", status: "approved", type: "PARTNER" },
    },
    integration: { enabled: true, app_id: "104148", state: "running" },
    has_inbox: false,
    is_oba: false,
  },
};

const clientCreated = {
  id: "evt_0a1",
  event: "client_created",
  data: {
    client: {
      id: "oaY9LLfUCL",
      name: "Acme",
      status: "active",
      partner_payload: "tenant-42",
      contact_info: { email: "ops@acme.test", full_name: "Ana Ops" },
      suspicious: false,
    },
  },
};

describe("parseWebhookEvent", () => {
  it("reads the contract's channel payload, keeping data verbatim in raw", () => {
    const parsed = parseWebhookEvent(channelRunning);
    expect(parsed).toEqual({
      kind: "channel",
      event: "channel_running",
      eventId: "evt_9f2c1",
      channel: {
        id: "rT4pXyCH",
        clientId: "oaY9LLfUCL",
        status: "running",
        phoneNumber: "+4915123456789",
        phoneName: "Acme",
        accountMode: "live",
        wabaAccountId: "wAb4ccount",
        createdAt: "2023-02-28T14:36:45Z",
        messagingLimit: "TIER_1K",
        qualityRating: "GREEN",
        raw: channelRunning.data,
      },
    });
    if (parsed.kind !== "channel") throw new Error("expected channel");
    expect(parsed.channel.raw).toBe(channelRunning.data);
  });

  it("classifies every lifecycle event, permission grants and future channel_* events as channel", () => {
    for (const event of [...CHANNEL_EVENTS, "channel_deleted"]) {
      const parsed = parseWebhookEvent({ event, data: { id: "ch1", status: "ready" } });
      expect(parsed.kind, event).toBe("channel");
    }
  });

  it("reads a minimal or oddly typed channel payload leniently", () => {
    const parsed = parseWebhookEvent({
      id: 12345,
      event: "channel_ready",
      data: {
        id: 987654,
        client: { id: "clFromNested" },
        status: "pending_deletion",
        phone_number: 4915123456789,
        phone_name: "",
        setup_info: "not an object",
        waba_account: ["nope"],
        waba_account_id: "wabaFlat",
        account_mode: { nested: true },
        created_at: 1677595005,
        brand_new_field: { kept: true },
      },
    });
    expect(parsed).toMatchObject({
      kind: "channel",
      eventId: "12345",
      channel: {
        id: "987654",
        clientId: "clFromNested",
        status: "pending_deletion",
        phoneNumber: "4915123456789",
        wabaAccountId: "wabaFlat",
        createdAt: "1677595005",
      },
    });
    if (parsed.kind !== "channel") throw new Error("expected channel");
    expect(parsed.channel.phoneName).toBeUndefined();
    expect(parsed.channel.accountMode).toBeUndefined();
    expect(parsed.channel.raw.brand_new_field).toEqual({ kept: true });
  });

  it("keeps a channel event without a channel id as unknown rather than dropping it", () => {
    for (const data of [undefined, null, [], {}, { id: "" }, { id: "   " }, { id: { x: 1 } }, { id: "x".repeat(257) }, "rT4pXyCH"]) {
      const body = { id: "evt", event: "channel_running", data };
      expect(parseWebhookEvent(body)).toEqual({ kind: "unknown", event: "channel_running", eventId: "evt", reason: "channel event without data.id", raw: body });
    }
  });

  it("reads client_created from data.client, a flat client, or client_id", () => {
    expect(parseWebhookEvent(clientCreated)).toEqual({
      kind: "client",
      event: "client_created",
      eventId: "evt_0a1",
      client: { id: "oaY9LLfUCL", name: "Acme", email: "ops@acme.test", partnerPayload: "tenant-42", raw: clientCreated.data.client },
    });
    const flat = { event: "client_created", data: { id: "flatCL", name: "Flat", email: "f@x.test" } };
    expect(parseWebhookEvent(flat)).toMatchObject({ kind: "client", client: { id: "flatCL", name: "Flat", email: "f@x.test" } });
    const empty = { event: "client_created", data: { client: { name: "No id" } } };
    expect(parseWebhookEvent(empty)).toMatchObject({ kind: "unknown", event: "client_created", raw: empty });
  });

  it("reads account events from data or the envelope", () => {
    const inData = { event: "account_violation", data: { phone_number: "+4915123456789", violation_type: "SPAM", channel_id: "rT4pXyCH" } };
    expect(parseWebhookEvent(inData)).toEqual({
      kind: "account",
      event: "account_violation",
      eventId: undefined,
      phoneNumber: "+4915123456789",
      violationType: "SPAM",
      channelId: "rT4pXyCH",
      raw: inData,
    });
    const topLevel = { id: "e2", event: "account_restriction", phone_number: "4915123456789", violation_type: "ADULT" };
    expect(parseWebhookEvent(topLevel)).toMatchObject({ kind: "account", eventId: "e2", phoneNumber: "4915123456789", violationType: "ADULT" });
    expect(parseWebhookEvent({ event: "account_restriction" })).toMatchObject({ kind: "account", event: "account_restriction" });
  });

  it("reads template events under any name that reads like a status change", () => {
    const status = {
      event: "waba_template_status_changed",
      data: { id: "tpl1", name: "order_update", language: "en", status: "rejected", rejected_reason: "INVALID_FORMAT", waba_account_id: "w1" },
    };
    expect(parseWebhookEvent(status)).toEqual({
      kind: "template",
      event: "waba_template_status_changed",
      eventId: undefined,
      change: "status",
      templateId: "tpl1",
      templateName: "order_update",
      language: "en",
      status: "rejected",
      reason: "INVALID_FORMAT",
      channelId: undefined,
      wabaAccountId: "w1",
      raw: status,
    });
    for (const event of ["template_status_changed", "message_template_status_update", "WABA_TEMPLATE_STATUS_UPDATE"]) {
      expect(parseWebhookEvent({ event, data: { status: "APPROVED" } }), event).toMatchObject({ kind: "template", change: "status", status: "APPROVED" });
    }
    expect(parseWebhookEvent({ event: "template_messaging_enabled", data: { id: "rT4pXyCH" } })).toMatchObject({
      kind: "template",
      change: "messaging_enabled",
      channelId: "rT4pXyCH",
      templateId: undefined,
    });
    expect(parseWebhookEvent({ event: "template_messaging_disabled", data: null })).toMatchObject({ kind: "template", change: "messaging_disabled" });
  });

  it("keeps unknown events with their whole body", () => {
    const body = { id: "e9", event: "partner_change_request", data: { id: "rT4pXyCH", enabled: true } };
    expect(parseWebhookEvent(body)).toEqual({ kind: "unknown", event: "partner_change_request", eventId: "e9", raw: body });
    expect(parseWebhookEvent({ event: "Channel_Running", data: { id: "x" } })).toMatchObject({ kind: "unknown" });
  });

  it("marks bodies without a string event invalid", () => {
    const bodies = [null, undefined, 42, "channel_running", [], [{ event: "channel_running" }], {}, { event: 1 }, { event: "" }, { event: "  " }, { event: null }, { data: {} }];
    for (const body of bodies) expect(parseWebhookEvent(body).kind, JSON.stringify(body)).toBe("invalid");
  });

  it("drops a top-level id that is not a usable string", () => {
    for (const id of [null, {}, [], true, "", Number.NaN]) {
      expect(parseWebhookEvent({ id, event: "x_y" })).toMatchObject({ kind: "unknown", eventId: undefined });
    }
  });

  it("never throws, whatever the JSON", () => {
    const event = fc.oneof(fc.constantFrom(...CHANNEL_EVENTS, "client_created", "account_violation", "template_messaging_enabled", "waba_template_status_changed"), fc.string());
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ id: fc.jsonValue(), event, data: fc.jsonValue() }, { requiredKeys: ["event"] })), (json) => {
        const parsed = parseWebhookEvent(json);
        expect(["channel", "client", "account", "template", "unknown", "invalid"]).toContain(parsed.kind);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("parseWebhookBody", () => {
  it("parses bytes or text and reports non-JSON as invalid", () => {
    const text = JSON.stringify(channelRunning);
    expect(parseWebhookBody(text).kind).toBe("channel");
    expect(parseWebhookBody(new TextEncoder().encode(text)).kind).toBe("channel");
    expect(parseWebhookBody("{not json")).toEqual({ kind: "invalid", reason: "body is not JSON" });
    expect(parseWebhookBody(new Uint8Array([0xff, 0xfe]))).toEqual({ kind: "invalid", reason: "body is not JSON" });
    expect(parseWebhookBody("").kind).toBe("invalid");
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(parseWebhookBody(withBom).kind).toBe("channel");
  });
});

describe("statusRank / progressRank", () => {
  it("orders the known lifecycle and leaves unknown statuses unranked", () => {
    expect(CHANNEL_STATUSES).toEqual(["created", "unverified", "submitted", "verified", "ready", "running", "live"]);
    expect(CHANNEL_STATUSES.map(statusRank)).toEqual([10, 20, 20, 30, 40, 50, 60]);
    expect(statusRank("RUNNING")).toBe(50);
    expect(statusRank(" ready ")).toBe(40);
    for (const status of ["pending_deletion", "modified", "", "toString", "__proto__", "constructor", null, undefined]) {
      expect(statusRank(status), String(status)).toBeNull();
    }
  });

  it("takes the furthest point an event proves", () => {
    expect(progressRank("channel_live", { status: "running" })).toBe(60);
    expect(progressRank("channel_ready", { status: "running" })).toBe(50);
    // account_mode "live" is the account's mode from channel_created on (docs/hub-contract.md §4.5), not a lifecycle step.
    expect(progressRank("channel_running", { status: "running" })).toBe(50);
    expect(progressRank("channel_permission_granted", { status: "ready" })).toBe(40);
    expect(progressRank("channel_permission_granted", { status: "pending_deletion" })).toBeNull();
    expect(progressRank("constructor", {})).toBeNull();
  });
});

describe("isRunning", () => {
  it("is true from running on, by rank, for every known status and false for anything else", () => {
    const running = Object.fromEntries(CHANNEL_STATUSES.map((status) => [status, isRunning({ status })]));
    expect(running).toEqual({ created: false, unverified: false, submitted: false, verified: false, ready: false, running: true, live: true });
    // The string checks it replaced ("running" or "live") agree on every known status.
    for (const status of CHANNEL_STATUSES) expect(isRunning({ status }), status).toBe(status === "running" || status === "live");
    expect(isRunning({ status: " Running " })).toBe(true);
    for (const status of ["pending_deletion", "modified", "", "constructor", null, undefined]) {
      expect(isRunning({ status }), String(status)).toBe(false);
    }
    expect(isRunning({})).toBe(false);
  });
});

describe("dedupKeyFor", () => {
  const raw = JSON.stringify(channelRunning);

  it("uses the provider id when present", () => {
    expect(dedupKeyFor(raw, parseWebhookEvent(channelRunning))).toBe("id:evt_9f2c1");
    expect(dedupKeyFor("{}", parseWebhookEvent({ id: 7, event: "x" }))).toBe("id:7");
  });

  it("falls back to the SHA-256 of the raw bytes, the same for text and bytes", () => {
    const { id: _id, ...noId } = channelRunning;
    const body = JSON.stringify(noId);
    const expected = `sha256:${createHash("sha256").update(Buffer.from(body, "utf8")).digest("hex")}`;
    const parsed: WebhookEvent = parseWebhookEvent(noId);
    expect(dedupKeyFor(body, parsed)).toBe(expected);
    expect(dedupKeyFor(new TextEncoder().encode(body), parsed)).toBe(expected);
    expect(dedupKeyFor(`${body} `, parsed)).not.toBe(expected);
    expect(dedupKeyFor("garbage", { kind: "invalid", reason: "x" })).toBe(`sha256:${createHash("sha256").update("garbage").digest("hex")}`);
  });
});
