import type { APIResponse } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import { SANDBOX_PARTNER } from "./support/onboarding";
import { createUser, roleShownFor, setRole, uniqueEmail, userRow } from "./support/portal";
import { E2E_BODY_READ_TIMEOUT_MS, trickleBody } from "./support/raw-http";
import { recordServerAction, replayServerAction } from "./support/server-action";

const PROTECTED = ["/dashboard", "/dashboard/users", "/dashboard/settings", "/dashboard/audit", "/dashboard/clients"];
const SUBREQUEST_VARIANTS = [
  "middleware:middleware:middleware:middleware:middleware",
  "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware",
  "proxy:proxy:proxy:proxy:proxy",
  "middleware",
];

test("x-middleware-subrequest never lets an anonymous request into the dashboard (R27)", async ({ newContext }) => {
  const anonymous = (await newContext()).request;
  let tried = 0;
  for (const path of PROTECTED) {
    for (const value of SUBREQUEST_VARIANTS) {
      const res = await anonymous.get(path, { headers: { "x-middleware-subrequest": value }, maxRedirects: 0 });
      tried++;
      const body = await res.text();
      expect(res.status(), `${path} with ${value}`).not.toBe(200);
      expect(body).not.toContain("Sign out");
    }
  }
  expect(tried).toBe(PROTECTED.length * SUBREQUEST_VARIANTS.length);
});

test("pages carry a fresh CSP nonce, the right opener policy and the basic hardening headers (R15, R16, R28)", async ({ newContext }) => {
  const request = (await newContext()).request;
  const first = await request.get("/login");
  const second = await request.get("/login");
  const nonceOf = (csp: string | undefined) => /'nonce-([^']+)'/.exec(csp ?? "")?.[1];
  const csp = first.headers()["content-security-policy"];
  expect(csp).toContain("'strict-dynamic'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).toContain("base-uri 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(nonceOf(csp)).toBeTruthy();
  expect(nonceOf(second.headers()["content-security-policy"])).not.toBe(nonceOf(csp));
  expect(await first.text()).toContain(`nonce="${nonceOf(csp)}"`);
  expect(first.headers()["x-content-type-options"]).toBe("nosniff");
  expect(first.headers()["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(first.headers()["strict-transport-security"]).toContain("max-age=");
  expect(first.headers()["cross-origin-opener-policy"]).toBe("same-origin");
  expect((await request.get("/")).headers()["cross-origin-opener-policy"]).toBe("unsafe-none");
});

test("a server action sent from another origin is refused and changes nothing (R25)", async ({ adminPage }) => {
  const target = uniqueEmail("csrf-target");
  await createUser(adminPage, { email: target, role: "viewer", method: "invite" });
  await adminPage.goto("/dashboard/users");
  const row = userRow(adminPage, target);
  await row.getByLabel(`Role of ${target}`, { exact: true }).selectOption("operator");
  const roleChange = await recordServerAction(adminPage, () => row.getByRole("button", { name: `Save role of ${target}` }).click());
  await expect(row.getByRole("status")).toHaveText("Role saved.");
  await setRole(adminPage, target, "viewer");

  const forged = await replayServerAction(adminPage.context().request, {
    ...roleChange,
    headers: { ...roleChange.headers, origin: "https://evil.test" },
  });
  expect(forged.text).not.toContain("Role saved.");
  expect(forged.status).toBeGreaterThanOrEqual(400);
  expect(await roleShownFor(adminPage, target)).toBe("viewer");

  // Next.js compares Origin with X-Forwarded-Host when there is one: with no proxy in front (TRUST_PROXY_HOPS=0)
  // a client-written one must never get that far, in any spelling of the forwarding headers.
  const forwardings: Record<string, string>[] = [
    { "x-forwarded-host": "evil.test", "x-forwarded-proto": "https", "x-forwarded-port": "443" },
    { "X-Forwarded-Host": "evil.test, localhost" },
    { forwarded: "host=evil.test;proto=https", "x-forwarded-host": "evil.test" },
  ];
  for (const forwarding of forwardings) {
    const spoofed = await replayServerAction(adminPage.context().request, {
      ...roleChange,
      headers: { ...roleChange.headers, origin: "https://evil.test", ...forwarding },
    });
    expect(spoofed.text, JSON.stringify(forwarding)).not.toContain("Role saved.");
    expect(spoofed.status, JSON.stringify(forwarding)).toBeGreaterThanOrEqual(400);
    expect(await roleShownFor(adminPage, target)).toBe("viewer");
  }
  // The same request from the portal's own origin still goes through: the refusals above are the origin check's.
  const genuine = await replayServerAction(adminPage.context().request, roleChange);
  expect(genuine.status).toBe(200);
  expect(await roleShownFor(adminPage, target)).toBe("operator");
});

const PREFETCH_HEADERS: Record<string, string>[] = [{ "next-router-prefetch": "1" }, { "next-router-prefetch": "1", rsc: "1" }, { purpose: "prefetch" }, { "sec-purpose": "prefetch" }];

test("a prefetch header skips neither the sign-in gate nor the CSP (R27, R28)", async ({ newContext, adminPage }) => {
  const anonymous = (await newContext()).request;
  for (const headers of PREFETCH_HEADERS) {
    for (const path of ["/dashboard", "/dashboard/users"]) {
      const res = await anonymous.get(path, { headers, maxRedirects: 0 });
      const what = `${path} ${JSON.stringify(headers)}`;
      expect(res.status(), what).toBe(307);
      expect(res.headers()["location"], what).toBe(`/login?callbackUrl=${encodeURIComponent(path)}`);
      expect(res.headers()["content-security-policy"], what).toContain("'strict-dynamic'");
      expect(await res.text(), what).not.toContain("Overview");
    }
  }
  // A signed-in prefetch is still served, with the page's own CSP.
  const prefetched = await adminPage.context().request.get("/dashboard", { headers: PREFETCH_HEADERS[0]!, maxRedirects: 0 });
  expect(prefetched.status()).toBe(200);
  expect(prefetched.headers()["content-security-policy"]).toMatch(/'nonce-[^']+'/);
  expect(prefetched.headers()["cross-origin-opener-policy"]).toBe("same-origin-allow-popups");
});

test("every answer carries the security headers: pages, prefetches, route handlers, webhooks and 404s (R28)", async ({ newContext }) => {
  const request = (await newContext()).request;
  const answers: [string, APIResponse][] = [
    ["page", await request.get("/login", { maxRedirects: 0 })],
    ["prefetched page", await request.get("/login", { headers: PREFETCH_HEADERS[0]!, maxRedirects: 0 })],
    ["missing page", await request.get("/no-such-page")],
    ["missing favicon", await request.get("/favicon.ico")],
    ["route handler", await request.get("/api/health")],
    ["route handler refusing", await request.post("/api/onboarding/funnel", { data: {} })],
    ["missing route", await request.get("/api/no-such-route")],
    ["webhook", await request.post(`/api/webhooks/360dialog/${SANDBOX_PARTNER.id}`, { data: {} })],
    ["webhook method", await request.get(`/api/webhooks/360dialog/${SANDBOX_PARTNER.id}`)],
  ];
  for (const [what, res] of answers) {
    const headers = res.headers();
    expect(headers["content-security-policy"], what).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"], what).toMatch(/default-src '(self|none)'/);
    expect(headers["cross-origin-opener-policy"], what).toMatch(/^(same-origin|same-origin-allow-popups|unsafe-none)$/);
    expect(headers["x-content-type-options"], what).toBe("nosniff");
    expect(headers["x-frame-options"], what).toBe("DENY");
    expect(headers["strict-transport-security"], what).toContain("max-age=");
  }
  // Route handlers render no document: nothing may load from their answers.
  for (const [what, res] of answers.slice(4)) expect(res.headers()["content-security-policy"], what).toContain("default-src 'none'");
});

test("the webhook route answers an unknown partner id exactly as a known one with a wrong signature", async ({ newContext }) => {
  const request = (await newContext()).request;
  const body = JSON.stringify({ id: "probe", event: "channel_running", data: { id: "ch_probe" } });
  const comparable = async (res: APIResponse) => {
    const { date: _date, ...headers } = res.headers();
    return { status: res.status(), headers, body: await res.text() };
  };
  for (const signature of [undefined, "0".repeat(64)]) {
    const headers = { "content-type": "application/json", ...(signature ? { "x-360dialog-signature": signature } : {}) };
    const known = await comparable(await request.post(`/api/webhooks/360dialog/${SANDBOX_PARTNER.id}`, { headers, data: body }));
    const unknown = await comparable(await request.post("/api/webhooks/360dialog/nobodyPA", { headers, data: body }));
    expect(known.status).toBe(401);
    expect(JSON.parse(known.body)).toMatchObject({ status: 401, code: "unauthenticated:signature" });
    expect(unknown).toEqual(known);
  }
});

test("a body trickling in is answered 408 within BODY_READ_TIMEOUT_MS and its connection closed", async ({ baseURL }) => {
  const url = new URL(baseURL!);
  const head = (path: string, extra = "") =>
    `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n${extra}\r\n{`;
  const giveUpMs = E2E_BODY_READ_TIMEOUT_MS + 5_000;
  // Side by side: the webhook fast path of server.ts and an onboarding route handler behind Next.js.
  const [webhook, onboarding] = await Promise.all([
    trickleBody(baseURL!, head(`/api/webhooks/360dialog/${SANDBOX_PARTNER.id}`, "x-360dialog-signature: 0\r\n"), { everyMs: 100, giveUpMs }),
    trickleBody(baseURL!, head("/api/onboarding/sessions", `Origin: ${url.origin}\r\n`), { everyMs: 100, giveUpMs }),
  ]);
  for (const [what, result] of [["webhook", webhook], ["onboarding", onboarding]] as const) {
    expect(result.answer, what).toMatch(/^HTTP\/1\.1 408 /);
    expect(result.answer, what).toMatch(/\r\nconnection: close\r\n/i);
    expect(result.answeredAfter, what).toBeGreaterThanOrEqual(E2E_BODY_READ_TIMEOUT_MS - 50);
    expect(result.closedAfter, what).toBeLessThan(E2E_BODY_READ_TIMEOUT_MS + 2_000);
  }
  expect(webhook.answer).toContain('"code":"timeout"');
  expect(onboarding.answer).toContain('"code":"timeout"');
});
