import "server-only";
import type { Hub } from "@/db/schema";
import { connectButtonEnvFor, type ConnectButtonEnv } from "../hub-config/connect-button";
import { openPlatformSecret } from "../hub-config/secrets";
import { IO_BASE_V1, IO_BASE_V2, IO_QUERY_PARAMS, buildIoUrl, buildPermissionsUrl, closestIoLang, parseIoLangs, type IoQueryOptions } from "../hub/io";
import { signIo } from "../hub/io-signature";
import { logger } from "../log";
import { startRefusal } from "./outcomes";
import { getOnboardingSettings } from "./settings";
import type { Locale } from "../i18n/locales";
import type { Prefill } from "./prefill";

// The 360dialog entry URL of one onboarding, made per click. With IO Signature on, the signature is made here
// and now with the hub's platform secret (docs/security.md R10, docs/hub-contract.md §3): never cached, and it leaves the server only inside
// this one URL (or the Connect Button props that build the very same URL).

export type IoLinkRequest = {
  hub: Hub;
  screen: "io" | "permissions";
  prefill: Prefill;
  lang: Locale;
  state?: string;
  redirectUrl?: string;
  /** Only the raw direct link of an invite passes false; it is only offered when the hub has signing off. */
  sign?: boolean;
  /** The second to sign (a distinct one per start, see claimIoSecond); now when absent. */
  signAt?: Date;
};

export type IoLink = { url: string; query: IoQueryOptions; signed: boolean };

/**
 * UNVERIFIED (docs/hub-contract.md §1.1): the permission screen is documented for hub v1 only, so a v2 hub is sent to the
 * v1 path on the matching host (production v1 host, or the same origin for a sandbox or staging base).
 */
export function permissionsBaseFor(hub: Pick<Hub, "ioBaseUrl" | "ioVersion">): string {
  const base = hub.ioBaseUrl.replace(/\/+$/, "");
  if (hub.ioVersion === "v1") return base;
  if (base === IO_BASE_V2) return IO_BASE_V1;
  return base.replace(/\/onboarding$/, "/dashboard/app");
}

function signatureFor(hub: Hub, now: Date | undefined): { ioSignature: string; ioTimestamp: string } {
  const platformSecret = openPlatformSecret(hub);
  if (!platformSecret) {
    logger("onboarding").error({ hub: hub.partnerId }, "IO Signature is on but the hub has no platform secret");
    throw startRefusal("unavailable:io_signature");
  }
  const { signature, timestamp } = signIo({ partnerId: hub.partnerId, platformSecret, encoding: hub.ioSignatureEncoding, now });
  return { ioSignature: signature, ioTimestamp: timestamp };
}

export function buildIoLink(request: IoLinkRequest): IoLink {
  const { hub, prefill, screen } = request;
  const signed = (request.sign ?? true) && hub.ioSignatureEnabled;
  const signature: { ioSignature: string; ioTimestamp: string } | { ioSignature?: undefined; ioTimestamp?: undefined } = signed ? signatureFor(hub, request.signAt) : {};
  const query: IoQueryOptions = {
    ...signature,
    number: prefill.number,
    email: prefill.email,
    name: screen === "io" ? prefill.name : undefined,
    state: request.state,
    redirectUrl: request.redirectUrl,
    partnerPayload: screen === "io" ? prefill.partnerPayload : undefined,
    planSelection: screen === "io" ? prefill.planSelection : undefined,
    clientId: screen === "permissions" ? prefill.clientId : undefined,
    // The client's language as the closest one 360dialog's onboarding takes, or none (docs/i18n.md §5).
    lang: closestIoLang(request.lang, parseIoLangs(getOnboardingSettings(hub).ioLangs) ?? []),
  };
  const url =
    screen === "permissions"
      ? buildPermissionsUrl({ ...query, partnerId: hub.partnerId, base: permissionsBaseFor(hub) })
      : buildIoUrl({ ...query, partnerId: hub.partnerId, base: hub.ioBaseUrl });
  return { url, query, signed };
}

export type ConnectButtonProps = {
  partnerId: string;
  env: ConnectButtonEnv;
  version: "v1" | "v2";
  requestedNumber?: string;
  /** In the order the package appends them, so it builds exactly `ioUrl`. */
  queryParameters: Record<string, string>;
};

/** Props for `360dialog-connect-button`, or null when the hub's IO base is not one the package knows. */
export function connectButtonProps(hub: Hub, query: IoQueryOptions): ConnectButtonProps | null {
  const env = connectButtonEnvFor(hub);
  if (!env) return null;
  const queryParameters: Record<string, string> = {};
  for (const [key, param] of IO_QUERY_PARAMS) {
    const value = query[key];
    if (typeof value === "string") queryParameters[param] = value;
  }
  return {
    partnerId: hub.partnerId,
    env,
    version: hub.ioVersion,
    ...(query.number ? { requestedNumber: query.number } : {}),
    queryParameters,
  };
}
