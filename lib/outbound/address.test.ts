import { describe, expect, it } from "vitest";
import { isPrivateAddress } from "./address";
import { checkEndpointUrlForm } from "./url";

// The SSRF guard's address classes (docs/outbound-webhooks.md §2).
describe("isPrivateAddress", () => {
  it.each(["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fd12::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:7f00:1", "64:ff9b::10.0.0.1", "not-an-ip"])(
    "refuses %s",
    (address) => expect(isPrivateAddress(address)).toBe(true),
  );
  it.each(["8.8.8.8", "172.32.0.1", "2a00:1450:4001::1", "::ffff:8.8.8.8"])("allows %s", (address) => expect(isPrivateAddress(address)).toBe(false));
});

describe("checkEndpointUrlForm", () => {
  const strict = { allowHttp: false, allowPrivate: false };
  it("wants https, no credentials, no fragment, no private literal", () => {
    expect(checkEndpointUrlForm("https://hooks.example.com/x", strict)).toMatchObject({ ok: true });
    expect(checkEndpointUrlForm("http://hooks.example.com/x", strict)).toMatchObject({ ok: false, reason: expect.stringMatching(/https/) });
    expect(checkEndpointUrlForm("http://hooks.example.com/x", { ...strict, allowHttp: true })).toMatchObject({ ok: true });
    expect(checkEndpointUrlForm("https://u:p@hooks.example.com/", strict)).toMatchObject({ ok: false });
    expect(checkEndpointUrlForm("https://hooks.example.com/#a", strict)).toMatchObject({ ok: false });
    expect(checkEndpointUrlForm("ftp://hooks.example.com/", strict)).toMatchObject({ ok: false });
    expect(checkEndpointUrlForm("https://[::1]/", strict)).toMatchObject({ ok: false });
    expect(checkEndpointUrlForm("https://app.localhost/", strict)).toMatchObject({ ok: false });
    expect(checkEndpointUrlForm("https://[::1]/", { ...strict, allowPrivate: true })).toMatchObject({ ok: true });
  });
});
