import "server-only";
import { KEY_BYTES, KEY_ID, type Keyring } from "./keyring";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/*
 * Stored format: one string of eight "."-separated parts, binary parts in unpadded base64url:
 *
 *   v1.<kid>.<wrapped dek>.<dek iv>.<dek tag>.<iv>.<tag>.<ciphertext>
 *
 * A fresh 256-bit DEK encrypts the UTF-8 plaintext (AES-256-GCM, 96-bit IV, 128-bit tag) under the
 * caller's AAD, so a value copied to a row with other AAD fails. The DEK is wrapped the same way by
 * the KEK named <kid>, under AAD "dek|v1|<kid>", so the kid cannot be relabelled. Rotation only
 * re-wraps the DEK; <iv>, <tag> and <ciphertext> are unchanged by rewrapSecret.
 */

export { parseKeyring, type KeyEntry, type Keyring } from "./keyring";
export type DecryptFailure = "malformed" | "unknown_key" | "auth_failed";

export class DecryptError extends Error {
  override readonly name = "DecryptError";
  readonly reason: DecryptFailure;
  constructor(reason: DecryptFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

const VERSION = "v1";
const ALGORITHM = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;
const B64URL = /^[A-Za-z0-9_-]*$/;

type Sealed = { iv: Buffer; tag: Buffer; ct: Buffer };
type Envelope = { kid: string; dek: Sealed; data: Sealed };

function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ct };
}

function open(key: Buffer, sealed: Sealed, aad: Buffer): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ct), decipher.final()]);
}

const dekAad = (kid: string) => Buffer.from(`dek|${VERSION}|${kid}`, "utf8");
const malformed = () => new DecryptError("malformed", "Malformed encrypted value");

// Buffer.from(…, "base64url") silently skips junk, so only the canonical encoding is accepted:
// otherwise a changed character could decode to the same bytes and still pass.
function decodeSegment(segment: string, bytes?: number): Buffer {
  if (!B64URL.test(segment)) throw malformed();
  const buf = Buffer.from(segment, "base64url");
  if (buf.toString("base64url") !== segment) throw malformed();
  if (bytes !== undefined && buf.length !== bytes) throw malformed();
  return buf;
}

function parse(stored: string): Envelope {
  if (typeof stored !== "string") throw malformed();
  const parts = stored.split(".");
  if (parts.length !== 8) throw malformed();
  const [version, kid, wrapped, dekIv, dekTag, iv, tag, ct] = parts as [string, string, string, string, string, string, string, string];
  if (version !== VERSION) throw new DecryptError("malformed", "Unsupported encrypted value format version");
  if (!KEY_ID.test(kid)) throw malformed();
  return {
    kid,
    dek: { iv: decodeSegment(dekIv, IV_BYTES), tag: decodeSegment(dekTag, TAG_BYTES), ct: decodeSegment(wrapped, KEY_BYTES) },
    data: { iv: decodeSegment(iv, IV_BYTES), tag: decodeSegment(tag, TAG_BYTES), ct: decodeSegment(ct) },
  };
}

function format({ kid, dek, data }: Envelope): string {
  return [VERSION, kid, dek.ct, dek.iv, dek.tag, data.iv, data.tag, data.ct]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

// Lone surrogates would be replaced by U+FFFD when encoded, silently corrupting a plaintext or
// letting two different AAD strings authenticate as the same bytes.
function utf8(value: string, what: string): Buffer {
  if (typeof value !== "string" || !value.isWellFormed()) throw new TypeError(`${what} must be a well-formed string`);
  return Buffer.from(value, "utf8");
}

/** Unwraps the DEK and authenticates the data; throws DecryptError on any failure. */
function openEnvelope(keyring: Keyring, envelope: Envelope, aad: Buffer): { dek: Buffer; plaintext: Buffer } {
  const entry = keyring.find((k) => k.id === envelope.kid);
  if (!entry) throw new DecryptError("unknown_key", `Unknown encryption key id "${envelope.kid}"`);
  let dek: Buffer | undefined;
  try {
    dek = open(entry.key, envelope.dek, dekAad(envelope.kid));
    return { dek, plaintext: open(dek, envelope.data, aad) };
  } catch {
    dek?.fill(0);
    throw new DecryptError("auth_failed", "Encrypted value failed authentication (tampered, wrong key or wrong AAD)");
  }
}

export function encryptSecret(keyring: Keyring, plaintext: string, aad: string): string {
  const data = utf8(plaintext, "plaintext");
  const aadBytes = utf8(aad, "aad");
  const { id, key } = keyring[0];
  const dek = randomBytes(KEY_BYTES);
  try {
    return format({ kid: id, dek: seal(key, dek, dekAad(id)), data: seal(dek, data, aadBytes) });
  } finally {
    dek.fill(0);
  }
}

export function decryptSecret(keyring: Keyring, stored: string, aad: string): string {
  const aadBytes = utf8(aad, "aad");
  const { dek, plaintext } = openEnvelope(keyring, parse(stored), aadBytes);
  dek.fill(0);
  return plaintext.toString("utf8");
}

export function keyIdOf(stored: string): string {
  return parse(stored).kid;
}

/**
 * Re-wraps the DEK under the current KEK after authenticating the whole value with `aad`, so a
 * re-wrap job never launders a tampered or misplaced value. Idempotent: current values are returned as is.
 */
export function rewrapSecret(keyring: Keyring, stored: string, aad: string): string {
  const aadBytes = utf8(aad, "aad");
  const envelope = parse(stored);
  const { id, key } = keyring[0];
  if (envelope.kid === id) return stored;
  const { dek } = openEnvelope(keyring, envelope, aadBytes);
  try {
    return format({ kid: id, dek: seal(key, dek, dekAad(id)), data: envelope.data });
  } finally {
    dek.fill(0);
  }
}
