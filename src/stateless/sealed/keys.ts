import { type AeadKey, aesGcmKey, hkdfSha256, utf8Encode } from '#crypto';
import { KEY_BYTES } from './aead.js';

/** A secret for sealing cookies. Give at least 32 bytes of high entropy (for example `openssl rand -base64 32`). */
export interface SealKey {
  /** Short key id written into every seal (1-16 characters of `[A-Za-z0-9_-]`), e.g. `2026-01`. */
  id: string;
  /** At least 32 bytes: a string (its UTF-8 bytes) or raw bytes. */
  secret: string | Uint8Array;
}

export interface DerivedKey {
  readonly id: string;
  /** The id's ASCII bytes, as written into every seal's header. */
  readonly idBytes: Uint8Array;
  readonly key: AeadKey;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
/** Minimum secret size: 256 bits, so HKDF's output is as strong as the AES-256 key it feeds. */
export const MIN_SECRET_BYTES = 32;
const SALT = 'tessera/sealed/v1';

/**
 * The sealing key ring. The first key seals; every key opens until it is removed (retired). A seal names its
 * key id, so adding a key never logs anyone out. Keys are derived with HKDF-SHA256 (RFC 5869) from the
 * secrets, bound to their id, once at start-up.
 */
export class SealKeyRing {
  readonly current: DerivedKey;
  readonly #byId: Map<string, DerivedKey>;

  /** `context` (the cookie name) is bound into every derived key, so a seal opens only under its own cookie. */
  constructor(keys: readonly SealKey[], context = '') {
    if (!Array.isArray(keys) || keys.length === 0) {
      throw new TypeError('tessera: sealed sessions need at least one key ({ id, secret })');
    }
    this.#byId = new Map();
    for (const entry of keys) {
      const derived = deriveSealKey(entry, context);
      if (this.#byId.has(derived.id)) throw new TypeError(`tessera: duplicate seal key id "${derived.id}"`);
      this.#byId.set(derived.id, derived);
    }
    this.current = this.#byId.get((keys[0] as SealKey).id) as DerivedKey;
  }

  /** The key for an id, or undefined for an unknown or retired id. */
  get(id: string): DerivedKey | undefined {
    return this.#byId.get(id);
  }

  get ids(): string[] {
    return [...this.#byId.keys()];
  }
}

export function deriveSealKey(entry: SealKey, context = ''): DerivedKey {
  if (typeof entry !== 'object' || entry === null)
    throw new TypeError('tessera: a seal key is { id, secret }');
  if (typeof entry.id !== 'string' || !KEY_ID.test(entry.id)) {
    throw new TypeError('tessera: a seal key id must be 1-16 characters of A-Z a-z 0-9 _ -');
  }
  const secret =
    typeof entry.secret === 'string'
      ? utf8Encode(entry.secret)
      : entry.secret instanceof Uint8Array
        ? Uint8Array.from(entry.secret)
        : null;
  if (secret === null) throw new TypeError('tessera: a seal key secret must be a string or bytes');
  if (secret.byteLength < MIN_SECRET_BYTES) {
    throw new TypeError(
      `tessera: seal key "${entry.id}" is ${secret.byteLength} bytes; use at least ${MIN_SECRET_BYTES} random bytes`,
    );
  }
  if (new Set(secret).size < 8) {
    throw new TypeError(`tessera: seal key "${entry.id}" has too little variety to be a random secret`);
  }
  const info = `aes-256-gcm:${entry.id}:${context}`;
  const raw = hkdfSha256(secret, SALT, info, KEY_BYTES);
  // The id is checked to be ASCII above, so its UTF-8 is its ASCII.
  return { id: entry.id, idBytes: utf8Encode(entry.id), key: aesGcmKey(raw) };
}
