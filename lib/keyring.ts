import { randomBytes } from "node:crypto";

// The key ring from APP_ENCRYPTION_KEY. Parsing lives apart from lib/crypto.ts (which is server-only) so the
// configuration check at boot can refuse a malformed key before anything else starts.

export type KeyEntry = { readonly id: string; readonly key: Buffer };
/** Newest first: the first entry encrypts, every entry can decrypt values bearing its id. */
export type Keyring = readonly [KeyEntry, ...KeyEntry[]];

export const KEY_BYTES = 32;
const ENV_NAME = "APP_ENCRYPTION_KEY";
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const KEY_B64 = /^[A-Za-z0-9+/_-]{43}=?$/;

const envError = (detail: string) => new Error(`${ENV_NAME} ${detail}`);

function decodeKey(text: string, where: string): Buffer {
  if (!KEY_B64.test(text)) {
    const bytes = /^[A-Za-z0-9+/_-]*=*$/.test(text) ? Buffer.from(text, "base64").length : undefined;
    const got = bytes === undefined ? "characters outside base64" : bytes === KEY_BYTES ? "bad padding" : `${bytes} bytes`;
    throw envError(`${where}: key must be base64 (or base64url) of exactly ${KEY_BYTES} bytes (got ${got})`);
  }
  // Node's base64 decoder accepts both the standard and the URL-safe alphabet.
  return Buffer.from(text.replace(/=$/, ""), "base64");
}

/** Parses `id:base64key[,id:base64key…]`, newest first; a lone bare key gets id "k1". */
export function parseKeyring(spec: string): Keyring {
  const entries = (typeof spec === "string" ? spec : "").split(",").map((entry) => entry.trim());
  if (entries.length === 1 && entries[0] === "") {
    throw envError("is empty: expected comma-separated id:base64key entries, newest first");
  }
  const keys: KeyEntry[] = [];
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    if (entry === "") throw envError(`${where} is empty`);
    const colon = entry.indexOf(":");
    const id = colon === -1 ? "k1" : entry.slice(0, colon).trim();
    // The id is only echoed once it is known to be a valid id, never a possible key fragment.
    if (!KEY_ID.test(id)) throw envError(`${where} has an invalid key id (expected 1-32 of A-Z a-z 0-9 _ -)`);
    if (keys.some((k) => k.id === id)) throw envError(`lists key id "${id}" more than once`);
    keys.push({ id, key: decodeKey(colon === -1 ? entry : entry.slice(colon + 1).trim(), `${where} ("${id}")`) });
  });
  const [current, ...older] = keys;
  if (!current) throw envError("has no keys");
  return Object.freeze([current, ...older] as const);
}

export function generateKeySpec(id = "k1"): string {
  if (!KEY_ID.test(id)) throw new Error("Key id must match ^[A-Za-z0-9_-]{1,32}$");
  return `${id}:${randomBytes(KEY_BYTES).toString("base64")}`;
}
