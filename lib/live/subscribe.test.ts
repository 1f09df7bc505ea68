import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { liveChangeSchema, liveTopics, MAX_NOTIFY_PAYLOAD_BYTES } from "./change-schema";
import { liveListenerCount, onLiveChange, parseLiveNotification, startLiveSubscription, stopLiveSubscription, type LiveSignal } from "./subscribe";
import { LIVE_CHANNEL } from "./types";

const HUB = "3f1c2a4e-5b6d-4c7e-8f90-a1b2c3d4e5f6";

/** A PGlite-shaped source whose notifications the test sends itself. */
async function startFakeSource() {
  let deliver: ((payload: string) => void) | null = null;
  let unlistened = 0;
  await startLiveSubscription({
    driver: "pglite",
    listen: async (channel, callback) => {
      expect(channel).toBe(LIVE_CHANNEL);
      deliver = callback;
      return async () => {
        unlistened += 1;
      };
    },
  });
  return {
    notify: (payload: string) => deliver?.(payload),
    unlistened: () => unlistened,
  };
}

afterEach(async () => {
  await stopLiveSubscription();
});

describe("process-wide subscription", () => {
  it("fans each notification out to every listener until it unsubscribes", async () => {
    const source = await startFakeSource();
    const seenA: LiveSignal[] = [];
    const seenB: LiveSignal[] = [];
    const offA = onLiveChange((s) => seenA.push(s));
    const offB = onLiveChange((s) => seenB.push(s));
    source.notify(JSON.stringify({ topic: "channel", id: "c1", hubId: HUB }));
    offA();
    source.notify(JSON.stringify({ topic: "client", id: "k1" }));
    offB();
    expect(seenA).toEqual([{ topic: "channel", id: "c1", hubId: HUB }]);
    expect(seenB).toEqual([
      { topic: "channel", id: "c1", hubId: HUB },
      { topic: "client", id: "k1" },
    ]);
    expect(liveListenerCount()).toBe(0);
  });

  it("ignores malformed notifications and survives a throwing listener", async () => {
    const source = await startFakeSource();
    const seen: LiveSignal[] = [];
    const offBad = onLiveChange(() => {
      throw new Error("listener bug");
    });
    const off = onLiveChange((s) => seen.push(s));
    for (const junk of ["", "not json", "null", "[]", '{"topic":"resync","id":"1"}', '{"topic":"channel"}', '{"topic":"channel","id":"1","secret":"x"}']) {
      source.notify(junk);
    }
    source.notify('{"topic":"job","id":"42"}');
    expect(seen).toEqual([{ topic: "job", id: "42" }]);
    offBad();
    off();
  });

  it("refuses a second explicit source and unlistens on stop", async () => {
    const source = await startFakeSource();
    expect(() => startLiveSubscription({ driver: "postgres", url: "postgres://127.0.0.1:1/x" })).toThrow(/already started/);
    await stopLiveSubscription();
    expect(source.unlistened()).toBe(1);
  });
});

describe("live notification payload", () => {
  const uuid = fc.uuid();
  const change = fc.record(
    {
      topic: fc.constantFrom(...liveTopics),
      id: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      hubId: uuid,
      sessionId: uuid,
      clientId: uuid,
    },
    { requiredKeys: ["topic", "id"] },
  );

  it("round-trips every valid change and always fits PostgreSQL's 8000-byte limit", () => {
    fc.assert(
      fc.property(change, (c) => {
        const payload = JSON.stringify(liveChangeSchema.parse(c));
        expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_NOTIFY_PAYLOAD_BYTES);
        expect(parseLiveNotification(payload)).toEqual(c);
      }),
    );
  });

  it("refuses ids that could carry anything but an id", () => {
    for (const id of ["", "a b", "x".repeat(65), "a@example.com", "+4915112345678", "<script>"]) {
      expect(liveChangeSchema.safeParse({ topic: "channel", id }).success).toBe(false);
    }
    expect(liveChangeSchema.safeParse({ topic: "channel", id: "1", hubId: "not-a-uuid" }).success).toBe(false);
  });
});
