import { eq } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { apiKeys, channels, type Hub } from "@/db/schema";
import type { LiveListener } from "@/lib/live/subscribe";
import { forEachDatabase } from "@/test/db/databases";
import { completeOnboarding } from "./complete";
import { handleStatusEvents } from "./routes";
import { createOnboardingSession } from "./sessions";
import { saveOnboardingSettings } from "./settings";
import { getOnboardingStatus } from "./status-page";
import { newToken } from "./tokens";
import { onboardingWorld, partnerSpec } from "@/test/support/onboarding";

forEachDatabase("client status page", (ctx) => {
  const world = onboardingWorld(ctx);
  let hub: Hub;
  let direct: Hub;
  let directPartner: string;

  beforeAll(async () => {
    hub = await world.seedHub();
    const spec = partnerSpec("stdirect", "direct");
    await world.seedPartner(spec);
    direct = await world.seedHub({ partner: spec, paymentMode: "direct" });
    directPartner = spec.id;
  });

  async function completed(target: Hub, partnerId: string, lang?: "en" | "de") {
    const binding = world.binding();
    const s = await createOnboardingSession({ method: "popup", hubId: target.id, staffActor: world.operator(), browserBinding: binding, ip: "127.0.0.1", lang });
    const before = await getOnboardingStatus(s.statusToken);
    // permission: shared with the partner at 360dialog (direct payment reads it from shared_client_numbers).
    const onboarded = await world.sandbox.control<{ clientId: string; channelIds: string[] }>("/onboard", { partnerId, phoneNumber: "+4915112345678", permission: true });
    const r = await completeOnboarding({ query: `client=${onboarded.clientId}&channels=[${onboarded.channelIds.join(",")}]&state=${s.state}`, browserBinding: binding, ip: "127.0.0.1" });
    expect(r.ok).toBe(true);
    return { s, before, channelId: onboarded.channelIds[0]! };
  }

  it("shows each confirmed number masked, in plain words, in the session's language and the hub's brand", async () => {
    await saveOnboardingSettings(world.operator(), hub.id, { brandName: "Acme Connect", accentColor: "#112233", defaultLang: "en" });
    const { s, before, channelId } = await completed(hub, "sandboxPA", "de");
    expect(before).toMatchObject({ sessionStatus: "started", channels: [], hubBrand: "Acme Connect", accentColor: "#112233", locale: "de" });
    const status = await getOnboardingStatus(s.statusToken);
    expect(status).toMatchObject({ sessionId: s.sessionId, sessionStatus: "completed", locale: "de" });
    expect(status!.channels).toEqual([
      expect.objectContaining({ phoneNumber: "+•••••••••5678", statusKey: "running", todo: null, displayName: expect.anything() }),
    ]);
    expect(JSON.stringify(status)).not.toContain("4915112345678");
    expect(status!.channels[0]).toMatchObject({ meaning: "running", until: null });

    const [row] = await world.db().select().from(channels).where(eq(channels.externalId, channelId));
    await world.db().insert(apiKeys).values({ hubId: hub.id, channelId: row!.id, grantId: "test", status: "active", last4: "abcd" }).onConflictDoNothing();
    expect((await getOnboardingStatus(s.statusToken))!.channels[0]!.statusKey).toBe("ready_to_use");
    await world.db().update(channels).set({ status: "unverified" }).where(eq(channels.id, row!.id));
    expect((await getOnboardingStatus(s.statusToken))!.channels[0]!.statusKey).toBe("in_review");
  });

  it("tells a direct-payment client to grant access while permission is missing", async () => {
    const { s, channelId } = await completed(direct, directPartner);
    expect((await getOnboardingStatus(s.statusToken))!.channels[0]!.todo).toBeNull();
    await world.db().update(channels).set({ permission: "revoked" }).where(eq(channels.externalId, channelId));
    expect((await getOnboardingStatus(s.statusToken))!.channels[0]!.todo).toBe("grant_access");
  });

  it("knows nothing of unknown or malformed tokens", async () => {
    expect(await getOnboardingStatus(newToken())).toBeNull();
    expect(await getOnboardingStatus("../../x")).toBeNull();
    expect(await getOnboardingStatus("")).toBeNull();
    const res = await handleStatusEvents(new Request("http://localhost/x"), newToken());
    expect(res.status).toBe(404);
  });

  async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, marker: string): Promise<string> {
    let text = "";
    while (!text.includes(marker)) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`stream ended before ${marker}: ${text}`);
      text += new TextDecoder().decode(value);
    }
    return text;
  }

  it("follows a number linked to the session after the stream opened but before it was listening", async () => {
    // The page rendered while the sign-up was still open (no numbers yet), its stream opened, and the redirect
    // completed the session before the stream listened: that news is gone, so the stream must learn the number
    // before it says ready, or the number's later changes (its key stored) would never reach the page.
    const binding = world.binding();
    const s = await createOnboardingSession({ method: "popup", hubId: hub.id, staffActor: world.operator(), browserBinding: binding, ip: "127.0.0.1" });
    let listener: LiveListener | undefined;
    let listen: () => void = () => {};
    const abort = new AbortController();
    const res = await handleStatusEvents(new Request("http://localhost/x", { signal: abort.signal }), s.statusToken, {
      subscribe: (l) => {
        listener = l;
        return () => (listener = undefined);
      },
      listening: () => new Promise<void>((resolve) => (listen = resolve)),
    });
    const reader = res.body!.getReader();
    await readUntil(reader, ": connected");
    const onboarded = await world.sandbox.control<{ clientId: string; channelIds: string[] }>("/onboard", { partnerId: "sandboxPA", phoneNumber: "+4915112345679", permission: true });
    const done = await completeOnboarding({ query: `client=${onboarded.clientId}&channels=[${onboarded.channelIds.join(",")}]&state=${s.state}`, browserBinding: binding, ip: "127.0.0.1" });
    expect(done.ok).toBe(true);
    const [row] = await world.db().select().from(channels).where(eq(channels.externalId, onboarded.channelIds[0]!));
    listen();
    await readUntil(reader, "event: ready");
    // The key is stored later: a change of the channel alone, without the session's id.
    listener!({ topic: "channel", id: row!.id, hubId: hub.id });
    const text = await readUntil(reader, row!.id);
    expect(text).toContain("event: change");
    abort.abort();
  });

  it("streams only this session's changes and its channels' changes", async () => {
    const { s, channelId } = await completed(hub, "sandboxPA");
    const [row] = await world.db().select().from(channels).where(eq(channels.externalId, channelId));
    let listener: LiveListener | undefined;
    const abort = new AbortController();
    const res = await handleStatusEvents(new Request("http://localhost/x", { signal: abort.signal }), s.statusToken, {
      subscribe: (l) => {
        listener = l;
        return () => (listener = undefined);
      },
      listening: async () => {},
    });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    await readUntil(reader, "event: ready");
    const other = "00000000-0000-4000-8000-0000000000aa";
    listener!({ topic: "channel", id: other, hubId: hub.id });
    listener!({ topic: "session", id: other, sessionId: other });
    listener!({ topic: "channel", id: row!.id, hubId: hub.id });
    listener!({ topic: "session", id: s.sessionId, sessionId: s.sessionId });
    abort.abort();
    let text = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const events = text.split("\n\n").filter((e) => e.startsWith("event: change"));
    expect(events).toHaveLength(2);
    expect(text).toContain(row!.id);
    expect(text).not.toContain(other);
  });
});
