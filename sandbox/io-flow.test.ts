import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  TEST_PARTNER,
  call,
  hiddenValue,
  onboard,
  postForm,
  seedPartner,
  startTestSandbox,
  type TestSandbox,
  waitFor,
} from "@/test/support/sandbox";

let t: TestSandbox;
const CALLBACK = "http://127.0.0.1:9/portal/onboarding/redirect";
const REDIRECT_RE = /^http:\/\/127\.0\.0\.1:9\/portal\/onboarding\/redirect\?client=([A-Za-z0-9]{8}CL)&channels=\[([A-Za-z0-9]{8}CH(?:,[A-Za-z0-9]{8}CH)*)\]/;

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(() => t.close());
beforeEach(async () => {
  await call(t.url, "/_sandbox/reset", { method: "POST" });
  await seedPartner(t.url);
});

async function get(path: string): Promise<{ status: number; html: string }> {
  const res = await fetch(t.url + path, { redirect: "manual" });
  return { status: res.status, html: await res.text() };
}

/** Walks signup → Embedded Signup; returns the response of "Continue". */
async function signupAndContinue(start: string, phone = "+49 151 2345 6789", email = "ana@client.test"): Promise<Response> {
  const first = await get(start);
  expect(first.status).toBe(200);
  const signup = await postForm(`${t.url}/io/signup`, [
    ["flow", hiddenValue(first.html, "flow")],
    ["email", email],
    ["full_name", "Ana Client"],
    ["company_name", "Client GmbH"],
  ]);
  expect(signup.status).toBe(200);
  const es = await signup.text();
  expect(es).toContain('<label for="phone_number">');
  return postForm(`${t.url}/io/embedded-signup`, [
    ["flow", hiddenValue(es, "flow")],
    ["business_name", "Client GmbH"],
    ["phone_number", phone],
    ["action", "continue"],
  ]);
}

describe("Integrated Onboarding pages", () => {
  it("prefills the signup form with labelled fields and carries the flow in a hidden field only", async () => {
    const page = await get(`/onboarding/${TEST_PARTNER.id}?email=ana%40client.test&name=Ana%20C&number=%2B4915112345678`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<label for="email">Email</label><input type="email" id="email" name="email" value="ana@client.test"');
    expect(page.html).toContain('<label for="full_name">Full name</label>');
    expect(page.html).toContain('id="full_name" name="full_name" value="Ana C"');
    expect(page.html).toContain('<label for="company_name">Company name</label>');
    expect(page.html).toMatch(/<form method="post" action="\/io\/signup"/);
    expect(page.html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
    // The connect button appends `number` unencoded, so a raw "+" must stay a plus.
    const raw = await get(`/onboarding/${TEST_PARTNER.id}?number=+4915112345678&email=a%2Bb%40c.test`);
    const es = await postForm(`${t.url}/io/signup`, [
      ["flow", hiddenValue(raw.html, "flow")],
      ["email", "a+b@c.test"],
      ["full_name", "A"],
      ["company_name", "C"],
    ]);
    expect(await es.text()).toContain('id="phone_number" name="phone_number" value="+4915112345678"');
    expect(raw.html).toContain('value="a+b@c.test"');
  });

  it("takes lang only in the languages 360dialog's form is known to take, and ignores any other", async () => {
    expect((await get(`/onboarding/${TEST_PARTNER.id}?lang=pt`)).html).toContain('data-io-lang="pt"');
    const spanish = await get(`/onboarding/${TEST_PARTNER.id}?lang=es`);
    expect(spanish.status).toBe(200);
    expect(spanish.html).toContain('data-io-lang=""');
    expect(spanish.html).toContain("is not one 360dialog's form is known to take");
    expect((await get(`/onboarding/${TEST_PARTNER.id}`)).html).not.toContain("data-io-lang");
  });

  it("partner payment: creates client and channel and redirects with raw brackets and the state echoed", async () => {
    const start = `/onboarding/${TEST_PARTNER.id}?number=%2B4915112345678&state=st%20123&redirect_url=${encodeURIComponent(CALLBACK)}`;
    const first = await get(start);
    const signup = await postForm(`${t.url}/io/signup`, [
      ["flow", hiddenValue(first.html, "flow")],
      ["email", "ana@client.test"],
      ["full_name", "Ana Client"],
      ["company_name", "Client GmbH"],
    ]);
    const es = await signup.text();
    expect(es).toContain('value="+4915112345678"');
    expect(es).toMatch(/<button type="submit" name="action" value="continue">Continue<\/button>/);
    expect(es).toMatch(/value="cancel"[^>]*>Cancel<\/button>/);
    const done = await postForm(`${t.url}/io/embedded-signup`, [
      ["flow", hiddenValue(es, "flow")],
      ["business_name", "Client Shop"],
      ["phone_number", "+49 151 1234 5678"],
      ["action", "continue"],
    ]);
    expect(done.status).toBe(302);
    const location = done.headers.get("location") ?? "";
    const m = REDIRECT_RE.exec(location);
    expect(m, location).not.toBeNull();
    expect(location).not.toContain("%5B");
    expect(location).not.toContain("revoked");
    expect(location.endsWith("&state=st%20123")).toBe(true);
    const channel = t.sb.state.channels.get(m?.[2] ?? "");
    expect(channel?.phoneNumber).toBe("+4915112345678");
    expect(channel?.phoneName).toBe("Client Shop");
    expect(channel?.permitted).toBe(true);
    expect(t.sb.state.clients.get(m?.[1] ?? "")?.contactInfo.email).toBe("ana@client.test");
  });

  it("v1 path uses the partner redirect URL and shows a done page when there is none", async () => {
    await seedPartner(t.url, { redirectUrl: CALLBACK });
    const res = await signupAndContinue(`/dashboard/app/${TEST_PARTNER.id}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(REDIRECT_RE);
    expect(res.headers.get("location")).not.toContain("state=");

    await seedPartner(t.url, { redirectUrl: null });
    const none = await signupAndContinue(`/dashboard/app/${TEST_PARTNER.id}`, "+4915100000001", "other@client.test");
    expect(none.status).toBe(200);
    expect(await none.text()).toMatch(/client=[A-Za-z0-9]{8}CL&amp;channels=\[/);
  });

  it("direct payment: permission screen, unchecked numbers come back as revoked", async () => {
    await seedPartner(t.url, { paymentMode: "direct", redirectUrl: CALLBACK });
    const existing = await onboard(t.url, { email: "dora@client.test", permission: true });
    const oldChannel = existing.channelIds[0] ?? "";
    const res = await signupAndContinue(`/dashboard/app/${TEST_PARTNER.id}`, "+4915199999999", "dora@client.test");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Grant API access");
    const newChannel = [...t.sb.state.channels.values()].find((c) => c.phoneNumber === "+4915199999999");
    expect(newChannel?.clientId).toBe(existing.clientId);
    expect(newChannel?.permitted).toBe(false);
    expect(html).toContain(`<input type="checkbox" id="perm-${oldChannel}" name="channel" value="${oldChannel}" checked>`);
    expect(html).toContain(`<label for="perm-${newChannel?.id ?? ""}">`);

    const done = await postForm(`${t.url}/io/permissions`, [
      ["flow", hiddenValue(html, "flow")],
      ["channel", newChannel?.id ?? ""],
      ["action", "confirm"],
    ]);
    expect(done.status).toBe(302);
    expect(done.headers.get("location")).toBe(`${CALLBACK}?client=${existing.clientId}&channels=[${newChannel?.id ?? ""}]&revoked=[${oldChannel}]`);
    expect(t.sb.state.channels.get(oldChannel)?.permitted).toBe(false);
    expect(newChannel?.permitted).toBe(true);
    await waitFor(() => t.sb.state.deliveries.some((d) => d.event === "channel_permission_granted"), 2000, "permission event");
  });

  it("/permissions for an existing client shows only the permission screen", async () => {
    await seedPartner(t.url, { paymentMode: "direct" });
    const { clientId, channelIds } = await onboard(t.url, { email: "eve@client.test" });
    const byId = await get(`/dashboard/app/${TEST_PARTNER.id}/permissions?client_id=${clientId}&redirect_url=${encodeURIComponent(CALLBACK)}&state=s1`);
    expect(byId.html).toContain("Grant API access");
    expect(byId.html).not.toContain('name="email"');
    const done = await postForm(`${t.url}/io/permissions`, [
      ["flow", hiddenValue(byId.html, "flow")],
      ["channel", channelIds[0] ?? ""],
    ]);
    expect(done.headers.get("location")).toBe(`${CALLBACK}?client=${clientId}&channels=[${channelIds[0] ?? ""}]&state=s1`);

    const byEmail = await get(`/dashboard/app/${TEST_PARTNER.id}/permissions?email=EVE%40client.test`);
    expect(byEmail.html).toContain("Grant API access");
    expect((await get(`/dashboard/app/${TEST_PARTNER.id}/permissions?client_id=nopeCL`)).status).toBe(404);
  });

  it("cancel ends the flow without a redirect; the flow cannot be replayed", async () => {
    const first = await get(`/onboarding/${TEST_PARTNER.id}?redirect_url=${encodeURIComponent(CALLBACK)}`);
    const signup = await postForm(`${t.url}/io/signup`, [
      ["flow", hiddenValue(first.html, "flow")],
      ["email", "x@client.test"],
      ["full_name", "X"],
      ["company_name", "X Co"],
    ]);
    const flow = hiddenValue(await signup.text(), "flow");
    const cancelled = await postForm(`${t.url}/io/embedded-signup`, [["flow", flow], ["action", "cancel"]]);
    expect(cancelled.status).toBe(200);
    const html = await cancelled.text();
    expect(html).toContain("Onboarding was cancelled");
    expect(html).toContain(`<a href="/onboarding/${TEST_PARTNER.id}?redirect_url=`);
    expect(t.sb.state.channels.size).toBe(0);
    const replay = await postForm(`${t.url}/io/embedded-signup`, [["flow", flow], ["business_name", "X"], ["phone_number", "+4915100000000"], ["action", "continue"]]);
    expect(replay.status).toBe(410);
  });

  it("re-renders invalid input with field errors and changes nothing", async () => {
    const first = await get(`/onboarding/${TEST_PARTNER.id}`);
    const bad = await postForm(`${t.url}/io/signup`, [["flow", hiddenValue(first.html, "flow")], ["email", "not-an-email"], ["full_name", ""], ["company_name", "C"]]);
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('aria-invalid="true" aria-describedby="email-error"');
    expect(html).toContain('id="full_name-error"');
    expect(t.sb.state.clients.size).toBe(0);
    expect((await get("/onboarding/unknownPA")).status).toBe(404);
    expect((await get(`/onboarding/${TEST_PARTNER.id}?redirect_url=javascript:alert(1)`)).status).toBe(400);
  });
});

describe("IO signature", () => {
  const sign = (ts: number, encoding: "hex" | "base64" = "hex", secret = TEST_PARTNER.platformSecret) =>
    createHmac("sha512", secret).update(`${TEST_PARTNER.id}|${ts}`).digest(encoding);
  const url = (sig: string, ts: number) => `/onboarding/${TEST_PARTNER.id}?io_signature=${encodeURIComponent(sig)}&io_timestamp=${ts}`;

  it("refuses missing, wrong, expired and reused signatures with a 403 that says which", async () => {
    await seedPartner(t.url, { ioSignature: { enabled: true, encoding: "hex" } });
    const now = Math.floor(t.clock.now() / 1000);

    const missing = await get(`/onboarding/${TEST_PARTNER.id}`);
    expect(missing.status).toBe(403);
    expect(missing.html).toContain("IO signature is missing");

    const wrong = await get(url(sign(now, "hex", "another-secret"), now));
    expect(wrong.status).toBe(403);
    expect(wrong.html).toContain("IO signature is wrong");

    const expired = await get(url(sign(now - 301), now - 301));
    expect(expired.status).toBe(403);
    expect(expired.html).toContain("has expired");

    const valid = sign(now - 299);
    const ok = await get(url(valid.toUpperCase(), now - 299));
    expect(ok.status).toBe(200);
    expect(ok.html).toContain("Create your 360dialog account");

    const reused = await get(url(valid, now - 299));
    expect(reused.status).toBe(403);
    expect(reused.html).toContain("already used");

    const malformed = await get(url(valid, Number.NaN));
    expect(malformed.status).toBe(403);
  });

  it("accepts base64 when the partner is set to base64, and the same flow then completes", async () => {
    await seedPartner(t.url, { ioSignature: { enabled: true, encoding: "base64" }, redirectUrl: CALLBACK });
    const now = Math.floor(t.clock.now() / 1000);
    expect((await get(url(sign(now, "hex"), now))).status).toBe(403);
    const res = await signupAndContinue(url(sign(now, "base64"), now));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(REDIRECT_RE);
  });
});
