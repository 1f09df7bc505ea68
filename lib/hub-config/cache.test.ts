import { afterEach, expect, it, vi } from "vitest";
import { processSlots } from "../process-slots";

// server.ts's webhook fast path and Next's bundle each load their own copy of cache.ts in one process: a settings
// save in one must clear what the other serves.

const lookups = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/db/queries/hubs", () => ({
  findHubByPartnerId: async ({ partnerId }: { partnerId: string }) => {
    lookups.count++;
    return { id: `hub-${lookups.count}`, partnerId };
  },
}));
vi.mock("../db", () => ({ getDb: async () => ({}) }));

afterEach(() => {
  delete processSlots.hubCache;
});

async function freshCopy() {
  vi.resetModules();
  return import("./cache");
}

it("is one cache per process, whichever module copy reads or clears it", async () => {
  const fastPath = await freshCopy();
  const bundle = await freshCopy();
  expect(fastPath).not.toBe(bundle);

  const first = await fastPath.cachedHubByPartnerId("p1");
  expect(await bundle.cachedHubByPartnerId("p1")).toBe(first);
  expect(lookups.count).toBe(1);

  bundle.forgetCachedHubs(); // as a settings save does
  const after = await fastPath.cachedHubByPartnerId("p1");
  expect(after).not.toBe(first);
  expect(lookups.count).toBe(2);
});
