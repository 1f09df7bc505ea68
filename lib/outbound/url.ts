import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { isPrivateAddress } from "./address";

// What an endpoint URL may be (docs/outbound-webhooks.md §2): absolute http(s) without credentials or fragment;
// https outside development; a host that resolves only to public addresses unless private targets are allowed.

export type UrlPolicy = { allowHttp: boolean; allowPrivate: boolean };

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

/** The checks that need no network: scheme, credentials, form. */
export function checkEndpointUrlForm(raw: string, policy: UrlPolicy): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: "is not an absolute URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "must start with https://" };
  if (url.protocol === "http:" && !policy.allowHttp) return { ok: false, reason: "must use https:// (plain http is allowed in development only)" };
  if (url.username || url.password) return { ok: false, reason: "must not carry a user name or password" };
  if (url.hash) return { ok: false, reason: "must not have a #fragment" };
  if (raw.length > 2_000) return { ok: false, reason: "is longer than 2000 characters" };
  const host = hostOf(url);
  if (isIP(host) && !policy.allowPrivate && isPrivateAddress(host))
    return { ok: false, reason: "points at a private, loopback or link-local address (allowed only with OUTBOUND_ALLOW_PRIVATE=1)" };
  if (!policy.allowPrivate && /^(localhost|.*\.localhost)$/i.test(host)) return { ok: false, reason: "points at localhost (allowed only with OUTBOUND_ALLOW_PRIVATE=1)" };
  return { ok: true, url };
}

/** The URL's host as an address or name (IPv6 without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}

/** Every address the host resolves to, refused if any is private (unless allowed). Throws when it cannot resolve. */
export async function resolvePublicAddresses(host: string, allowPrivate: boolean): Promise<{ address: string; family: number }[]> {
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await lookup(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new Error(`${host} did not resolve`);
  if (!allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) throw new PrivateAddressError(host, bad.address);
  }
  return addresses;
}

export class PrivateAddressError extends Error {
  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a private, loopback or link-local address; refused (OUTBOUND_ALLOW_PRIVATE is off)`);
    this.name = "PrivateAddressError";
  }
}

/** Save-time check: form, then resolution. A name that does not resolve yet is accepted (checked at each delivery). */
export async function checkEndpointUrl(raw: string, policy: UrlPolicy): Promise<UrlVerdict> {
  const form = checkEndpointUrlForm(raw, policy);
  if (!form.ok) return form;
  try {
    await resolvePublicAddresses(hostOf(form.url), policy.allowPrivate);
  } catch (error) {
    if (error instanceof PrivateAddressError) return { ok: false, reason: error.message.replace(/^\S+ /, "its host ") };
  }
  return form;
}
