import "server-only";
import { decryptSecret, encryptSecret, parseKeyring, type Keyring } from "./crypto";
import { getEnv } from "./env";

// Secrets at rest go through here: the key ring comes from APP_ENCRYPTION_KEY, the AAD names the row and field
// so a value copied to another row or column fails to decrypt.

let keyring: Keyring | undefined;

function currentKeyring(): Keyring {
  keyring ??= parseKeyring(getEnv().APP_ENCRYPTION_KEY);
  return keyring;
}

export function sealSecret(plaintext: string, aad: string): string {
  return encryptSecret(currentKeyring(), plaintext, aad);
}

export function openSecret(stored: string, aad: string): string {
  return decryptSecret(currentKeyring(), stored, aad);
}
