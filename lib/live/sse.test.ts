import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createLiveStream,
  formatSseComment,
  formatSseEvent,
  liveChangeFilter,
  liveStreamResponse,
  parseLiveQuery,
  type LiveStreamOptions,
} from "./sse";
import type { LiveListener, LiveSignal } from "./subscribe";
import type { LiveChange } from "./types";

const READY = "event: ready\ndata: {}\n\n";
const HUB_A = "3f1c2a4e-5b6d-4c7e-8f90-a1b2c3d4e5f6";
const HUB_B = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d";

/** A stand-in for the process-wide subscription: who listens, and a way to emit. */
function fakeSubscription() {
  const listeners = new Set<LiveListener>();
  return {
    listeners,
    subscribe: (listener: LiveListener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (signal: LiveSignal) => listeners.forEach((l) => l(signal)),
  };
}

function open(overrides: Partial<LiveStreamOptions> = {}) {
  const fake = fakeSubscription();
  const abort = new AbortController();
  const stream = createLiveStream({
    signal: abort.signal,
    filter: () => true,
    recheck: async () => true,
    subscribe: fake.subscribe,
    listening: async () => {},
    ...overrides,
  });
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const next = async () => {
    const chunk = await reader.read();
    return chunk.done ? null : decoder.decode(chunk.value);
  };
  return { fake, abort, reader, next };
}

describe("SSE formatting", () => {
  it("writes one named event with its JSON on one data line", () => {
    expect(formatSseEvent("change", { topic: "channel", id: "c1" })).toBe('event: change\ndata: {"topic":"channel","id":"c1"}\n\n');
    expect(formatSseEvent("change", { id: "a\nb" })).toBe('event: change\ndata: {"id":"a\\nb"}\n\n');
  });

  it("keeps a comment on one line", () => {
    expect(formatSseComment("heartbeat")).toBe(": heartbeat\n\n");
    expect(formatSseComment("a\r\nb")).toBe(": a b\n\n");
  });

  it("answers with the streaming headers", () => {
    const response = liveStreamResponse({ signal: AbortSignal.abort(), filter: () => true, recheck: async () => true });
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
  });
});

describe("live query and filter", () => {
  const params = (q: string) => new URLSearchParams(q);

  it("accepts known topics and a hub uuid, and defaults to every topic", () => {
    expect(parseLiveQuery(params(`topics=channel,client&hub=${HUB_A}`)).data).toEqual({ topics: ["channel", "client"], hub: HUB_A });
    expect(parseLiveQuery(params("")).data).toEqual({ topics: [] });
    expect(parseLiveQuery(params("topics=")).data).toEqual({ topics: [] });
  });

  it("refuses unknown topics, a hub that is not a uuid and oversized input", () => {
    expect(parseLiveQuery(params("topics=channel,users")).success).toBe(false);
    expect(parseLiveQuery(params("hub=1 or 1=1")).success).toBe(false);
    expect(parseLiveQuery(params(`topics=${"channel,".repeat(40)}`)).success).toBe(false);
  });

  it("passes only the asked topics of the asked hub, and hubless changes", () => {
    const filter = liveChangeFilter({ topics: ["channel"], hub: HUB_A });
    expect(filter({ topic: "channel", id: "1", hubId: HUB_A })).toBe(true);
    expect(filter({ topic: "channel", id: "1" })).toBe(true);
    expect(filter({ topic: "channel", id: "1", hubId: HUB_B })).toBe(false);
    expect(filter({ topic: "client", id: "1", hubId: HUB_A })).toBe(false);
    const everything = liveChangeFilter({ topics: [] });
    expect(everything({ topic: "template", id: "1", hubId: HUB_B })).toBe(true);
  });
});

describe("live stream", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens with a comment, says ready, then sends matching changes and every resync", async () => {
    const { fake, next } = open({ filter: liveChangeFilter({ topics: ["channel"], hub: HUB_A }) });
    expect(await next()).toBe(": connected\n\n");
    expect(await next()).toBe(READY);
    const wanted: LiveChange = { topic: "channel", id: "c1", hubId: HUB_A };
    fake.emit({ topic: "client", id: "x", hubId: HUB_A });
    fake.emit({ topic: "channel", id: "c2", hubId: HUB_B });
    fake.emit(wanted);
    fake.emit({ topic: "resync" });
    expect(await next()).toBe(formatSseEvent("change", wanted));
    expect(await next()).toBe("event: resync\ndata: {}\n\n");
  });

  it("sends a heartbeat comment every 25 s", async () => {
    const { next } = open();
    await next();
    await next();
    await vi.advanceTimersByTimeAsync(24_999);
    const pending = next();
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toBe(": heartbeat\n\n");
    await vi.advanceTimersByTimeAsync(25_000);
    expect(await next()).toBe(": heartbeat\n\n");
  });

  it("unsubscribes, stops its timers and ends when the client disconnects", async () => {
    const { fake, abort, next } = open();
    await next();
    expect(fake.listeners.size).toBe(1);
    abort.abort();
    expect(fake.listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(await next()).toBeNull();
  });

  it("unsubscribes when the reader cancels", async () => {
    const { fake, reader, next } = open();
    await next();
    await reader.cancel();
    expect(fake.listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("never subscribes for a request already gone", async () => {
    const fake = fakeSubscription();
    const stream = createLiveStream({ signal: AbortSignal.abort(), filter: () => true, recheck: async () => true, subscribe: fake.subscribe });
    expect((await stream.getReader().read()).done).toBe(true);
    expect(fake.listeners.size).toBe(0);
  });

  it("re-checks the caller once before ready, then every 60 s, and ends the stream when refused", async () => {
    const answers = [true, true, false];
    const recheck = vi.fn(async () => answers.shift() ?? false);
    const { fake, next } = open({ recheck });
    await next();
    expect(await next()).toBe(READY);
    expect(recheck).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(recheck).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(recheck).toHaveBeenCalledTimes(2);
    expect(fake.listeners.size).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(recheck).toHaveBeenCalledTimes(3);
    expect(fake.listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends the stream when the re-check throws, and never runs two re-checks at once", async () => {
    let fail: (error: Error) => void = () => {};
    const recheck = vi.fn(() => new Promise<boolean>((_, reject) => (fail = reject)));
    const { fake, next } = open({ recheck });
    await next();
    await vi.advanceTimersByTimeAsync(180_000);
    expect(recheck).toHaveBeenCalledTimes(1);
    fail(new Error("unauthenticated"));
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.listeners.size).toBe(0);
  });

  it("subscribes, waits until it is listening, re-checks, and only then says ready", async () => {
    const order: string[] = [];
    const fake = fakeSubscription();
    let listen: () => void = () => {};
    const { next } = open({
      subscribe: (listener) => {
        order.push("subscribe");
        return fake.subscribe(listener);
      },
      listening: () => {
        order.push("listening");
        return new Promise<void>((resolve) => (listen = resolve));
      },
      recheck: async () => {
        order.push("recheck");
        return true;
      },
    });
    expect(await next()).toBe(": connected\n\n");
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(["subscribe", "listening"]);
    // Subscribed but not yet listening: what arrives is passed on; ready waits.
    const early: LiveChange = { topic: "channel", id: "early" };
    fake.emit(early);
    expect(await next()).toBe(formatSseEvent("change", early));
    listen();
    expect(await next()).toBe(READY);
    expect(order).toEqual(["subscribe", "listening", "recheck"]);
  });

  it("never says ready when the caller is refused at the first re-check", async () => {
    const { fake, next } = open({ recheck: async () => false });
    expect(await next()).toBe(": connected\n\n");
    expect(await next()).toBeNull();
    expect(fake.listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("closes (the browser reconnects) when the subscription cannot start", async () => {
    const { fake, next } = open({ listening: () => Promise.reject(new Error("no LISTEN")) });
    expect(await next()).toBe(": connected\n\n");
    expect(await next()).toBeNull();
    expect(fake.listeners.size).toBe(0);
  });

  it("holds at the test gate's stages in order: nothing subscribed before 'subscribe' is released", async () => {
    const stages: string[] = [];
    const releases: Record<string, () => void> = {};
    const { fake, next } = open({
      testGate: (stage) => {
        stages.push(stage);
        return new Promise<void>((resolve) => (releases[stage] = resolve));
      },
    });
    expect(await next()).toBe(": connected\n\n");
    await vi.advanceTimersByTimeAsync(0);
    expect(stages).toEqual(["subscribe"]);
    expect(fake.listeners.size).toBe(0);
    releases.subscribe!();
    await vi.advanceTimersByTimeAsync(0);
    expect(stages).toEqual(["subscribe", "ready"]);
    expect(fake.listeners.size).toBe(1);
    releases.ready!();
    expect(await next()).toBe(READY);
  });

  it("drops a reader that stopped reading instead of queueing without end", async () => {
    const { fake } = open();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.listeners.size).toBe(1);
    for (let i = 0; i < 600; i++) fake.emit({ topic: "job", id: String(i) });
    expect(fake.listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
