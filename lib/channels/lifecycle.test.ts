import { describe, expect, it } from "vitest";
import { clientOfChannel, decideStatus, eventTimeOf } from "./lifecycle";

const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute));
const at = (status: string, statusRank: number, minute: number | null) => ({ status, statusRank, lastEventAt: minute === null ? null : t(minute) });

describe("decideStatus (R7)", () => {
  it.each([
    // [why, current, event, status, minute, expected status, expected rank]
    ["placeholder row takes the first status", at("created", 0, null), "channel_created", "created", 1, "created", 10],
    ["forward by rank", at("created", 10, 1), "channel_running", "running", 4, "running", 50],
    ["a late lower status never moves back", at("running", 50, 4), "channel_ready", "ready", 3, "running", 50],
    ["a newer lower status never moves back either", at("running", 50, 4), "channel_ready", "ready", 9, "running", 50],
    ["equal rank does not move", at("unverified", 20, 2), "channel_submitted", "submitted", 5, "unverified", 20],
    ["event name outranks a lagging data.status", at("running", 50, 4), "channel_live", "running", 5, "running", 60],
    ["data.status outranks the event name", at("created", 10, 1), "channel_permission_granted", "ready", 3, "ready", 40],
    ["unknown status is stored verbatim when newer, rank kept", at("running", 50, 4), "channel_status_changed", "pending_deletion", 6, "pending_deletion", 50],
    ["unknown status is ignored when older", at("running", 50, 4), "channel_status_changed", "pending_deletion", 2, "running", 50],
    ["unknown status at the same time is taken", at("running", 50, 4), "channel_status_changed", "pending_deletion", 4, "pending_deletion", 50],
    ["a newer known status leaves an unknown one", at("pending_deletion", 10, 3), "channel_running", "running", 4, "running", 50],
    ["an older known status keeps a newer unknown one, raising the rank", at("pending_deletion", 0, 3), "channel_created", "created", 1, "pending_deletion", 10],
    ["a newer known status of the same rank leaves an unknown one", at("suspended", 50, 5), "channel_running", "running", 6, "running", 50],
    ["a newer lower status does not leave an unknown one", at("suspended", 50, 5), "channel_ready", "ready", 6, "suspended", 50],
    ["an older lower status leaves an unknown one alone", at("suspended", 50, 5), "channel_ready", "ready", 2, "suspended", 50],
    ["no status, no move", at("ready", 40, 3), "channel_foo", undefined, 9, "ready", 40],
  ] as const)("%s", (_why, current, event, status, minute, wantStatus, wantRank) => {
    const d = decideStatus(current, { event, status, occurredAt: t(minute) });
    expect({ status: d.status, statusRank: d.statusRank }).toEqual({ status: wantStatus, statusRank: wantRank });
    expect(d.moved).toBe(wantStatus !== current.status || wantRank !== current.statusRank);
  });

  it("normalises a known status's case", () => {
    expect(decideStatus(at("created", 10, 1), { event: "channel_x", status: " Running ", occurredAt: t(2) }).status).toBe("running");
  });
});

describe("eventTimeOf", () => {
  const received = t(30);
  it("prefers modified_at, then created_at, then the receive time", () => {
    expect(eventTimeOf({ modified_at: "2026-01-01T12:05:00Z", created_at: "2026-01-01T12:01:00Z" }, received)).toEqual(t(5));
    expect(eventTimeOf({ created_at: "2026-01-01T12:01:00Z" }, received)).toEqual(t(1));
    expect(eventTimeOf({ modified_at: "not a date", created_at: null }, received)).toEqual(received);
    expect(eventTimeOf(undefined, received)).toEqual(received);
    expect(eventTimeOf(["2026"], received)).toEqual(received);
  });
});

describe("clientOfChannel", () => {
  it("reads the client summary of a channel object leniently", () => {
    expect(clientOfChannel({ client: { id: "abcCL", name: "Acme", partner_payload: "p1", contact_info: { email: "a@b.test" } } }, undefined)).toEqual({
      externalId: "abcCL",
      name: "Acme",
      email: "a@b.test",
      partnerPayload: "p1",
    });
    expect(clientOfChannel({ client: "nope" }, "xyzCL")).toEqual({ externalId: "xyzCL", name: undefined, email: undefined, partnerPayload: undefined });
    expect(clientOfChannel({}, undefined)).toBeUndefined();
  });
});
