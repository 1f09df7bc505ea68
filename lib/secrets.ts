import "server-only";
import { decryptSecret, encryptSecret, keyIdOf, parseKeyring, rewrapSecret, type Keyring } from "./crypto";
import { getEnv } from "./env";

// Secrets at rest go through here: the key ring comes from APP_ENCRYPTION_KEY, the AAD names the row and field
// so a value copied to another row or column fails to decrypt.

let cached: { spec: string; keyring: Keyring } | undefined;

function currentKeyring(): Keyring {
  const spec = getEnv().APP_ENCRYPTION_KEY;
  if (cached?.spec !== spec) cached = { spec, keyring: parseKeyring(spec) };
  return cached.keyring;
}

/** The id of the key new secrets are sealed with (the first of APP_ENCRYPTION_KEY). */
export function currentKeyId(): string {
  return currentKeyring()[0].id;
}

/** The key id a stored value was sealed with. */
export function sealedWith(stored: string): string {
  return keyIdOf(stored);
}

/** The value sealed again under the current key, after authenticating it with its AAD (throws if it does not). */
export function resealSecret(stored: string, aad: string): string {
  return rewrapSecret(currentKeyring(), stored, aad);
}

export function sealSecret(plaintext: string, aad: string): string {
  return encryptSecret(currentKeyring(), plaintext, aad);
}

export function openSecret(stored: string, aad: string): string {
  return decryptSecret(currentKeyring(), stored, aad);
}
