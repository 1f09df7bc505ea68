import { describe, expect, it } from "vitest";
import { gettingStartedItems } from "./getting-started";

const REDIRECT = "http://localhost:3000/onboarding/redirect";
const none = { inviteCreated: false, numberRunning: false, webhookReceived: false };

function hub(over: Partial<Parameters<typeof gettingStartedItems>[0][number]> = {}) {
  return {
    id: "11111111-1111-4111-8111-111111111111",
    name: "Acme hub",
    isSandbox: false,
    authKind: "api_key" as const,
    hasPlatformSecret: true,
    redirectUrl: REDIRECT,
    expectedRedirectUrl: REDIRECT,
    branded: true,
    ...over,
  };
}

const state = (r: ReturnType<typeof gettingStartedItems>) => Object.fromEntries(r.items.map((i) => [i.key, i.done]));

describe("getting-started checklist", () => {
  it("a portal with only the sandbox hub asks for the partner's own hub, and the rest follows the sandbox", () => {
    const r = gettingStartedItems([hub({ isSandbox: true, name: "Sandbox", redirectUrl: null, branded: false })], none);
    expect(state(r)).toEqual({ credentials: false, platform_secret: true, urls: false, branding: false, invite: false, running: false });
    expect(r.items[0]).toMatchObject({ href: "/dashboard/settings?new=1", detail: expect.stringMatching(/Only the local sandbox hub/) });
    expect(r.items.find((i) => i.key === "branding")!.href).toBe("/dashboard/settings/onboarding/11111111-1111-4111-8111-111111111111");
    expect(r.complete).toBe(false);
  });

  it("once the partner's hub exists, the sandbox no longer counts for any item", () => {
    const sandbox = hub({ id: "22222222-2222-4222-8222-222222222222", isSandbox: true, name: "Sandbox" });
    const own = hub({ authKind: null, hasPlatformSecret: false, redirectUrl: "https://old.example/redirect", branded: false });
    const r = gettingStartedItems([sandbox, own], none);
    expect(state(r)).toEqual({ credentials: false, platform_secret: false, urls: false, branding: false, invite: false, running: false });
    expect(r.items[0]!.href).toBe(`/dashboard/settings?edit=${own.id}`);
    expect(r.items[1]!.detail).toMatch(/Acme hub has no platform secret/);
  });

  it("ticks each item from what is stored, and is complete when all are", () => {
    const r = gettingStartedItems([hub()], { inviteCreated: true, numberRunning: true, webhookReceived: true });
    expect(r.done).toBe(6);
    expect(r.complete).toBe(true);
    expect(r.items.find((i) => i.key === "urls")!.detail).toMatch(/Webhooks from 360dialog are arriving/);
  });

  it("says when no webhook has arrived although the URLs were registered", () => {
    const r = gettingStartedItems([hub()], none);
    expect(r.items.find((i) => i.key === "urls")).toMatchObject({ done: true, detail: expect.stringMatching(/No webhook from 360dialog has arrived yet/) });
    expect(r.done).toBe(4);
  });

  it("with no hub at all nothing is done", () => {
    const r = gettingStartedItems([], none);
    expect(r.done).toBe(0);
  });
});
