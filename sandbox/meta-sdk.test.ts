import vm from "node:vm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { TEST_PARTNER, call, seedPartner, startTestSandbox, waitFor, type TestSandbox } from "@/test/support/sandbox";

// The browser scripts run here in node:vm with a minimal fake window; the real popup is exercised by the e2e suite.

let t: TestSandbox;
const PORTAL = "http://127.0.0.1:3000";

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(() => t.close());
beforeEach(async () => {
  await call(t.url, "/_sandbox/reset", { method: "POST" });
  await seedPartner(t.url);
});

type Listener = (event: { origin: string; source: unknown; data: unknown }) => void;

async function loadSdk() {
  const res = await fetch(`${t.url}/meta/sdk.js`);
  expect(res.headers.get("content-type")).toContain("application/javascript");
  const listeners: Listener[] = [];
  const popup = { closed: false };
  const opened: string[] = [];
  const fbAsyncInit = vi.fn();
  const window: Record<string, unknown> = {
    location: { origin: PORTAL, href: `${PORTAL}/onboarding` },
    addEventListener: (type: string, fn: Listener) => type === "message" && listeners.push(fn),
    open: (url: string) => (opened.push(url), popup),
    fbAsyncInit,
  };
  const document = { currentScript: { src: `${t.url}/meta/sdk.js` } };
  const context = vm.createContext({ window, document, URL, URLSearchParams, setTimeout, setInterval, clearInterval, console });
  vm.runInContext(await res.text(), context);
  const FB = window.FB as { init(o: unknown): void; login(cb: (r: unknown) => void, o?: unknown): void };
  const dispatch = (event: Parameters<Listener>[0]) => listeners.forEach((fn) => fn(event));
  return { FB, popup, opened, fbAsyncInit, dispatch };
}

describe("Meta SDK stand-in", () => {
  it("defines FB, calls fbAsyncInit and opens the Embedded Signup popup on the sandbox origin", async () => {
    const sdk = await loadSdk();
    await waitFor(() => sdk.fbAsyncInit.mock.calls.length === 1, 1000, "fbAsyncInit");
    sdk.FB.init({ appId: "1234", version: "v21.0" });
    const cb = vi.fn();
    sdk.FB.login(cb, { config_id: "cfg-1", response_type: "code", extras: { setup: {}, sessionInfoVersion: "3" } });
    const opened = new URL(sdk.opened[0] ?? "");
    expect(opened.origin).toBe(t.url);
    expect(opened.pathname).toBe("/meta/embedded-signup");
    expect(opened.searchParams.get("origin")).toBe(PORTAL);
    expect(opened.searchParams.get("config_id")).toBe("cfg-1");

    // Messages from another origin or window are ignored.
    sdk.dispatch({ origin: "http://evil.test", source: sdk.popup, data: { __sandboxFbLogin: { code: "x" } } });
    sdk.dispatch({ origin: t.url, source: {}, data: { __sandboxFbLogin: { code: "x" } } });
    expect(cb).not.toHaveBeenCalled();
    sdk.dispatch({ origin: t.url, source: sdk.popup, data: { __sandboxFbLogin: { code: "abc" } } });
    expect(cb).toHaveBeenCalledWith({ authResponse: { code: "abc" }, status: "connected" });
  });

  it("reports a popup closed without a result as not connected", async () => {
    const sdk = await loadSdk();
    const cb = vi.fn();
    sdk.FB.login(cb);
    sdk.popup.closed = true;
    await waitFor(() => cb.mock.calls.length === 1, 2000, "callback");
    expect(cb).toHaveBeenCalledWith({ authResponse: null, status: "unknown" });
  });

  it("serves an accessible popup that posts WA_EMBEDDED_SIGNUP strings to its opener's origin", async () => {
    expect((await fetch(`${t.url}/meta/embedded-signup?origin=javascript:alert(1)`)).status).toBe(400);
    const html = await (await fetch(`${t.url}/meta/embedded-signup?origin=${encodeURIComponent(PORTAL)}&version=3`)).text();
    for (const label of ["es-business", "es-phone", "es-step", "es-error-message"]) expect(html).toContain(`<label for="${label}">`);
    for (const button of ["Finish", "Cancel", "Error"]) expect(html).toContain(`>${button}</button>`);
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? "";

    const posted: [unknown, string][] = [];
    const elements = new Map<string, { value: string; textContent: string; click?: () => void; addEventListener(t: string, fn: () => void): void }>();
    const el = (id: string) => {
      let e = elements.get(id);
      if (!e) {
        const created = { value: "", textContent: "", click: undefined as undefined | (() => void), addEventListener: (_t: string, fn: () => void) => void (created.click = fn) };
        elements.set(id, created);
        e = created;
      }
      return e;
    };
    el("es-business").value = "Shop GmbH";
    el("es-phone").value = "+49 151 7777 8888";
    el("es-step").value = "PHONE_NUMBER_VERIFICATION";
    el("es-error-message").value = "boom";
    const window = { opener: { postMessage: (data: unknown, origin: string) => posted.push([data, origin]) }, close: vi.fn() };
    const fetchInPopup = (path: string, init: RequestInit) => fetch(t.url + path, init);
    vm.runInContext(script, vm.createContext({ window, document: { getElementById: el }, fetch: fetchInPopup, JSON, setTimeout }));

    el("es-finish").click?.();
    await waitFor(() => posted.length === 2, 2000, "finish messages");
    const [session, login] = posted;
    expect(session?.[1]).toBe(PORTAL);
    expect(typeof session?.[0]).toBe("string");
    const parsed = JSON.parse(String(session?.[0]));
    expect(Object.keys(parsed)).toEqual(["type", "event", "version", "data"]);
    expect(parsed).toMatchObject({ type: "WA_EMBEDDED_SIGNUP", event: "FINISH", version: 3 });
    expect(Object.keys(parsed.data)).toEqual(["phone_number_id", "waba_id", "business_id"]);
    expect(login?.[0]).toMatchObject({ __sandboxFbLogin: { code: expect.stringMatching(/^[A-Za-z0-9]{40}$/) as unknown } });

    el("es-cancel").click?.();
    expect(JSON.parse(String(posted[2]?.[0]))).toEqual({ type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", version: 3, data: { current_step: "PHONE_NUMBER_VERIFICATION" } });
    el("es-error").click?.();
    expect(JSON.parse(String(posted[4]?.[0]))).toEqual({ type: "WA_EMBEDDED_SIGNUP", event: "ERROR", version: 3, data: { error_message: "boom" } });

    // Account-sharing onboarding of that WABA picks up the number entered in the popup.
    const P = `/api/v2/partners/${TEST_PARTNER.id}`;
    await call(t.url, `${P}/settings/account_sharing`, { method: "PATCH", key: TEST_PARTNER.apiKey, json: { solution_id: "111222333444" } });
    const onboarded = await call(t.url, `${P}/account_sharing/onboard`, {
      method: "POST",
      key: TEST_PARTNER.apiKey,
      json: { solution_id: "111222333444", waba_external_id: parsed.data.waba_id, waba_business_id: parsed.data.business_id },
    });
    expect(onboarded.status).toBe(200);
    const channel = [...t.sb.state.channels.values()][0];
    expect(channel).toMatchObject({ phoneNumber: "+4915177778888", phoneName: "Shop GmbH", wabaExternalId: parsed.data.waba_id, permitted: true });
  });

  it("answers FINISH_ONLY_WABA without a phone number for WABA-only sharing", async () => {
    const res = await call(t.url, "/meta/embedded-signup/finish", { method: "POST", json: { business_name: "Only", phone_number: "", feature: "only_waba_sharing" } });
    expect(res.body.event).toBe("FINISH_ONLY_WABA");
    expect(Object.keys(res.body.data)).toEqual(["waba_id", "business_id"]);
    expect((await call(t.url, "/meta/embedded-signup/finish", { method: "POST", json: { business_name: "X", phone_number: "12" } })).status).toBe(400);
  });
});
