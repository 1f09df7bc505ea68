import { eq, sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { hubs, onboardingEvents, onboardingSessions, type Hub } from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { forEachDatabase } from "@/test/db/databases";
import { handleComplete, handleEmbeddedSignupEvent, handleFunnel, handleStartSession, type StaffLookup } from "./routes";
import { createInvite } from "./invites";
import { PORTAL_URL, onboardingWorld } from "@/test/support/onboarding";
import { clientErrorKey } from "./outcomes";

const anonymous: StaffLookup = async () => null;

function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${PORTAL_URL}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL_URL, "x-portal-client-ip": "127.0.0.1", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A POST whose JSON body arrives one byte every 25 ms (seconds for the whole of it) and says so in Content-Length. */
function tricklingPost(path: string, body: unknown): { request: Request; stop: () => void } {
  const text = JSON.stringify(body);
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setInterval(() => {
        if (sent === text.length) return controller.close();
        controller.enqueue(new TextEncoder().encode(text[sent++]));
      }, 25);
    },
    cancel: () => clearInterval(timer),
  });
  const request = new Request(`${PORTAL_URL}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL_URL, "x-portal-client-ip": "127.0.0.1", "content-length": String(text.length) },
    body: stream,
    duplex: "half",
  } as RequestInit);
  return { request, stop: () => clearInterval(timer) };
}

const cookieOf = (res: Response) => /^portal_ob=([A-Za-z0-9_-]{43});/.exec(res.headers.get("set-cookie") ?? "")?.[1];

// ≥ 30 open-redirect payloads (docs/security.md R13), tried in every redirect parameter.
const REDIRECT_PAYLOADS = [
  "//evil.test",
  "/\\evil.test",
  "\\\\evil.test",
  "https:evil.test",
  "https://evil.test",
  "http://evil.test/onboarding/redirect",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "%2F%2Fevil.test",
  "%2f%2fevil.test",
  "%5C%5Cevil.test",
  "https://portal@evil.test",
  "https://localhost:3000@evil.test",
  "https://localhost:3000.evil.test",
  "//localhost:3000@evil.test",
  "/%09/evil.test",
  "/%2F/evil.test",
  "///evil.test",
  "////evil.test",
  "https:/evil.test",
  "http:\\\\evil.test",
  "\tjavascript:alert(1)",
  " //evil.test",
  "//evil%E3%80%82test",
  "//evil。test",
  "/.evil.test",
  "/..//evil.test",
  "https://evil.test#localhost:3000",
  "https://evil.test?localhost:3000",
  "[//evil.test]",
  "[javascript:alert(1)]",
];

forEachDatabase("onboarding API routes", (ctx) => {
  const world = onboardingWorld(ctx);
  let hub: Hub;

  beforeAll(async () => {
    hub = await world.seedHub({ openSignup: true });
  });

  it("POST /sessions: same-origin only, sets the binding cookie, answers no-store", async () => {
    expect((await handleStartSession(post("/api/onboarding/sessions", { method: "popup" }, { origin: "https://evil.test" }), anonymous)).status).toBe(403);
    const noOrigin = new Request(`${PORTAL_URL}/api/onboarding/sessions`, { method: "POST", body: JSON.stringify({ method: "popup" }) });
    expect((await handleStartSession(noOrigin, anonymous)).status).toBe(403);
    const viaFetchMetadata = new Request(`${PORTAL_URL}/api/onboarding/sessions`, { method: "POST", headers: { "sec-fetch-site": "same-origin" }, body: JSON.stringify({ method: "popup" }) });
    expect((await handleStartSession(viaFetchMetadata, anonymous)).status).toBe(201);
    const crossSite = post("/api/onboarding/sessions", { method: "popup" }, { origin: PORTAL_URL, "sec-fetch-site": "cross-site" });
    expect((await handleStartSession(crossSite, anonymous)).status).toBe(403);
    const forged = post("/api/onboarding/sessions", { method: "popup" }, { origin: "https://evil.test", "sec-fetch-site": "cross-site" });
    expect((await handleStartSession(forged, anonymous)).status).toBe(403);

    const res = await handleStartSession(post("/api/onboarding/sessions", { method: "popup", prefill: { email: "a@b.test" }, lang: "de" }), anonymous);
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("set-cookie")).toMatch(/^portal_ob=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=86400; HttpOnly; SameSite=Lax$/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["connectButton", "embeddedSignup", "expiresAt", "ioUrl", "lang", "method", "notice", "sessionId", "state", "statusToken", "statusUrl"]);

    const cookie = cookieOf(res)!;
    const again = await handleStartSession(post("/api/onboarding/sessions", { method: "popup" }, { cookie: `portal_ob=${cookie}` }), anonymous);
    expect(cookieOf(again)).toBe(cookie);
  });

  it("POST /sessions: 400 on a bad body, 413 on a big one, 403 when signup is closed and the caller is no operator", async () => {
    const bad = await handleStartSession(post("/api/onboarding/sessions", { method: "iframe", extra: 1 }), anonymous);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    expect(((await bad.json()) as { errors: Record<string, unknown> }).errors).toHaveProperty("method");
    expect((await handleStartSession(post("/api/onboarding/sessions", "{not json"), anonymous)).status).toBe(400);
    expect((await handleStartSession(post("/api/onboarding/sessions", { method: "popup", prefill: { name: "x".repeat(20_000) } }), anonymous)).status).toBe(413);
    for (const returnPath of REDIRECT_PAYLOADS) {
      const res = await handleStartSession(post("/api/onboarding/sessions", { method: "connect_button", returnPath }), anonymous);
      expect(res.status, returnPath).toBe(400);
    }

    await world.db().update(hubs).set({ openSignup: false }).where(sql`true`);
    const closed = await handleStartSession(post("/api/onboarding/sessions", { method: "popup", hubId: hub.id }), anonymous);
    expect(closed.status).toBe(403);
    expect(await closed.json()).toMatchObject({ status: 403, code: "forbidden:onboarding", detail: expect.stringMatching(/invite link/) });
    const viewer: StaffLookup = async () => ({ ...world.operator(), role: "viewer" });
    expect((await handleStartSession(post("/api/onboarding/sessions", { method: "popup", hubId: hub.id }), viewer)).status).toBe(403);
    const pendingPassword: StaffLookup = async () => ({ ...world.operator(), mustChangePassword: true });
    expect((await handleStartSession(post("/api/onboarding/sessions", { method: "popup", hubId: hub.id }), pendingPassword)).status).toBe(403);
    expect((await handleStartSession(post("/api/onboarding/sessions", { method: "popup", hubId: hub.id }), async () => world.operator())).status).toBe(201);
    await world.db().update(hubs).set({ openSignup: true }).where(eq(hubs.id, hub.id));
  });

  it("POST /complete: same-origin only; maps results to statuses; never echoes a URL from the query (R13)", async () => {
    const started = await handleStartSession(post("/api/onboarding/sessions", { method: "popup" }), anonymous);
    const cookie = `portal_ob=${cookieOf(started)!}`;
    const { state, statusUrl } = (await started.json()) as { state: string; statusUrl: string };
    const { clientId, channelIds } = await world.sandbox.onboard({ phoneNumber: "+4915112345678" });
    const query = `?client=${clientId}&channels=[${channelIds.join(",")}]&state=${state}`;

    expect((await handleComplete(post("/api/onboarding/complete", { query }, { origin: "http://evil.test", cookie }))).status).toBe(403);
    // Without state, only the browser that started a sign-up can complete one: a browser with none gets 400.
    expect((await handleComplete(post("/api/onboarding/complete", { query: query.replace(/&state=.*/, "") }, { cookie: `portal_ob=${"B".repeat(43)}` }))).status).toBe(400);
    const foreign = await handleComplete(post("/api/onboarding/complete", { query }, { cookie: `portal_ob=${"A".repeat(43)}` }));
    expect(foreign.status).toBe(403);
    const body = (await foreign.json()) as { code: string; detail: string };
    expect(body.code).toBe("forbidden:state_foreign_browser");
    expect(body.detail).toMatch(/different browser/);
    expect(clientErrorKey(body.code)).toBe("errors.forbidden.state_foreign_browser"); // the page's words, in its language

    const ok = await handleComplete(post("/api/onboarding/complete", { query }, { cookie }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await ok.json()).toEqual({ statusUrl });
    expect((await handleComplete(post("/api/onboarding/complete", { query }, { cookie }))).status).toBe(409);
    expect((await handleComplete(post("/api/onboarding/complete", { query: "x".repeat(10_000) }, { cookie }))).status).toBe(400);

    let tried = 0;
    for (const payload of REDIRECT_PAYLOADS) {
      for (const param of ["client", "channels", "revoked", "state", "redirect_url", "next", "returnTo"]) {
        const q = `client=${clientId}&channels=[${channelIds.join(",")}]&${param}=${encodeURIComponent(payload)}`;
        const res = await handleComplete(post("/api/onboarding/complete", { query: q }, { cookie }));
        tried++;
        expect(res.headers.get("location")).toBeNull();
        const text = await res.text();
        expect(text).not.toMatch(/evil|javascript:|data:/i);
        const parsed = JSON.parse(text) as { statusUrl?: string };
        if (parsed.statusUrl) expect(parsed.statusUrl).toMatch(/^\/onboarding\/status\/[A-Za-z0-9_-]{43}$/);
      }
    }
    expect(tried).toBeGreaterThanOrEqual(30 * 7);
  });

  it("POST /funnel: only client-side kinds, only for this browser's session or an invite, rate-limited", async () => {
    const started = await handleStartSession(post("/api/onboarding/sessions", { method: "popup" }), anonymous);
    const cookie = `portal_ob=${cookieOf(started)!}`;
    const { sessionId } = (await started.json()) as { sessionId: string };
    expect((await handleFunnel(post("/api/onboarding/funnel", { kind: "popup_blocked", sessionId }, { cookie }))).status).toBe(204);
    expect((await handleFunnel(post("/api/onboarding/funnel", { kind: "popup_blocked", sessionId }, { cookie: `portal_ob=${"B".repeat(43)}` }))).status).toBe(403);
    expect((await handleFunnel(post("/api/onboarding/funnel", { kind: "client_confirmed", sessionId }, { cookie }))).status).toBe(400);
    expect((await handleFunnel(post("/api/onboarding/funnel", { kind: "landing_viewed" }, { cookie }))).status).toBe(400);
    expect((await handleFunnel(post("/api/onboarding/funnel", { kind: "landing_viewed", sessionId }, { cookie, origin: "https://evil.test" }))).status).toBe(403);
    const invite = await createInvite(world.operator(), { hubId: hub.id });
    expect((await handleFunnel(post("/api/onboarding/funnel", { kind: "landing_viewed", inviteToken: invite.token }))).status).toBe(204);
    expect((await handleFunnel(post("/api/onboarding/funnel", { kind: "landing_viewed", inviteToken: "C".repeat(43) }))).status).toBe(403);
    const kinds = (await world.db().select().from(onboardingEvents).where(eq(onboardingEvents.sessionId, sessionId))).map((e) => e.kind);
    expect(kinds.sort()).toEqual(["popup_blocked", "popup_opened"]);
    const ip = { "x-portal-client-ip": "198.51.100.200" };
    const statuses = [];
    for (let i = 0; i < 121; i++) statuses.push((await handleFunnel(post("/api/onboarding/funnel", { kind: "landing_viewed", inviteToken: invite.token }, ip))).status);
    expect(statuses.slice(0, 120).every((s) => s === 204)).toBe(true);
    expect(statuses[120]).toBe(429);
  });

  it("every body-reading route answers a body still trickling in at BODY_READ_TIMEOUT_MS 408, closes, and changes nothing", async () => {
    const started = await handleStartSession(post("/api/onboarding/sessions", { method: "popup" }), anonymous);
    const { sessionId, state } = (await started.json()) as { sessionId: string; state: string };
    const count = async () => ({
      sessions: (await world.db().select().from(onboardingSessions)).length,
      events: (await world.db().select().from(onboardingEvents)).length,
    });
    const before = await count();
    process.env.BODY_READ_TIMEOUT_MS = "300";
    resetEnvForTests();
    const slow = [
      tricklingPost("/api/onboarding/sessions", { method: "popup", prefill: { email: "slow@b.test" } }),
      tricklingPost("/api/onboarding/complete", { query: `?client=cl&channels=[ch]&state=${state}` }),
      tricklingPost("/api/onboarding/funnel", { kind: "popup_blocked", sessionId }),
      tricklingPost("/api/onboarding/embedded-signup", { sessionId, message: { type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: {} } }),
    ];
    try {
      const t0 = performance.now();
      const answers = await Promise.all([
        handleStartSession(slow[0]!.request, anonymous),
        handleComplete(slow[1]!.request),
        handleFunnel(slow[2]!.request),
        handleEmbeddedSignupEvent(slow[3]!.request),
      ]);
      const elapsed = performance.now() - t0;
      for (const res of answers) {
        expect({ status: res.status, connection: res.headers.get("connection"), body: await res.json() }).toEqual({
          status: 408,
          connection: "close",
          body: { type: "about:blank", title: "Request Timeout", status: 408, code: "timeout", detail: "The request took too long to arrive." },
        });
      }
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1_500);
    } finally {
      for (const one of slow) one.stop();
      delete process.env.BODY_READ_TIMEOUT_MS;
      resetEnvForTests();
    }
    expect(await count()).toEqual(before);
  });

  it("POST /embedded-signup: validates the forwarded message", async () => {
    const started = await handleStartSession(post("/api/onboarding/sessions", { method: "popup" }), anonymous);
    const cookie = `portal_ob=${cookieOf(started)!}`;
    const { sessionId } = (await started.json()) as { sessionId: string };
    expect((await handleEmbeddedSignupEvent(post("/api/onboarding/embedded-signup", { sessionId, message: { type: "OTHER", event: "CANCEL" } }, { cookie }))).status).toBe(400);
    // A popup session is not an Embedded Signup session.
    const wrong = await handleEmbeddedSignupEvent(post("/api/onboarding/embedded-signup", { sessionId, message: { type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: {} } }, { cookie }));
    expect(wrong.status).toBe(403);
    expect((await handleEmbeddedSignupEvent(post("/api/onboarding/embedded-signup", { sessionId, message: { type: "WA_EMBEDDED_SIGNUP", event: "CANCEL" } }, { origin: "null", cookie }))).status).toBe(403);
  });
});
