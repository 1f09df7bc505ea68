import { randomInt, randomUUID } from "node:crypto";

// Identifier shapes follow docs/hub-contract.md §5.1: `…PA` partners, `…CL` clients, `…CH` channels.

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export function randomAlnum(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALNUM.charAt(randomInt(ALNUM.length));
  return out;
}

/** Decimal digits without a leading zero, like Meta's numeric object ids. */
export function randomDigits(length: number): string {
  let out = String(randomInt(1, 10));
  for (let i = 1; i < length; i++) out += String(randomInt(10));
  return out;
}

export const newClientId = (): string => `${randomAlnum(8)}CL`;
export const newChannelId = (): string => `${randomAlnum(8)}CH`;
export const newEventId = (): string => randomUUID();
export const newApiKey = (): string => randomAlnum(32);
export const newToken = (): string => randomAlnum(48);
export const newFlowId = (): string => randomAlnum(24);
export const newPhoneNumber = (): string => `+1555${randomDigits(7)}`;
