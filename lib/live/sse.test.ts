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

  it("opens with a comment, then sends matching changes and every resync", async () => {
    const { fake, next } = open({ filter: liveChangeFilter({ topics: ["channel"], hub: HUB_A }) });
    expect(await next()).toBe(": connected\n\n");
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

  it("re-checks the caller every 60 s and ends the stream when refused", async () => {
    const answers = [true, false];
    const recheck = vi.fn(async () => answers.shift() ?? false);
    const { fake, next } = open({ recheck });
    await next();
    await vi.advanceTimersByTimeAsync(59_999);
    expect(recheck).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(recheck).toHaveBeenCalledTimes(1);
    expect(fake.listeners.size).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(recheck).toHaveBeenCalledTimes(2);
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

  it("drops a reader that stopped reading instead of queueing without end", async () => {
    const { fake } = open();
    for (let i = 0; i < 600; i++) fake.emit({ topic: "job", id: String(i) });
    expect(fake.listeners.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
