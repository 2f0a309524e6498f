import type { JsonWebKey, KeyObject } from 'node:crypto';
import { decodeBase64url, randomBytes, toBase64url, utf8Encode } from '#crypto';
import { exportJwk, generateKeyPair, type JoseKey, privateKeyPair, secretKey } from '#jose';

/** Signature algorithms Tessera issues access tokens with. EdDSA (Ed25519) is the default (RFC 8037). */
export type JwtAlgorithm = 'EdDSA' | 'ES256' | 'HS256';
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze(['EdDSA', 'ES256', 'HS256']);

/** One signing key. Each key allows exactly one algorithm (RFC 8725 3.1: never let the token choose). */
export interface JwtKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  /** The private key, or the HMAC secret for HS256 (a `KeyObject` on Node; opaque bytes on the web). */
  readonly privateKey: JoseKey;
  /** The public key; for HS256 the same secret (never published). */
  readonly publicKey: JoseKey;
  /** When the key starts signing (ms). Published in the JWKS before that. */
  readonly activeFrom: number;
}

/** A key as persisted: a private JWK plus Tessera's metadata. Keep the file private (mode 0600). */
export interface StoredJwtKey {
  kid: string;
  alg: JwtAlgorithm;
  activeFrom: number;
  jwk: JsonWebKey;
}

const KID = /^[A-Za-z0-9_-]{1,64}$/;
const MIN_HMAC_BYTES = 32;

export function generateJwtKey(alg: JwtAlgorithm, activeFrom: number, kid?: string): JwtKey {
  const id = kid ?? toBase64url(randomBytes(12));
  checkKid(id);
  if (alg === 'HS256') return hmacKey(id, randomBytes(32), activeFrom);
  const pair = generateKeyPair(alg);
  return Object.freeze({ kid: id, alg, privateKey: pair.privateKey, publicKey: pair.publicKey, activeFrom });
}

/** An HS256 key from a secret of at least 32 bytes (RFC 7518 3.2: the key must be at least the hash size). */
export function hmacKey(kid: string, secret: string | Uint8Array, activeFrom = 0): JwtKey {
  checkKid(kid);
  const bytes = typeof secret === 'string' ? utf8Encode(secret) : Uint8Array.from(secret);
  if (bytes.byteLength < MIN_HMAC_BYTES) {
    throw new TypeError(`tessera: HS256 key "${kid}" needs at least ${MIN_HMAC_BYTES} bytes`);
  }
  const key = secretKey(bytes);
  return Object.freeze({ kid, alg: 'HS256', privateKey: key, publicKey: key, activeFrom });
}

/**
 * An asymmetric key from a private key: a PKCS#8 PEM or a `KeyObject` (Node), or a private JWK (everywhere).
 * The algorithm must match the key type.
 */
export function privateJwtKey(
  kid: string,
  alg: 'EdDSA' | 'ES256',
  privateKey: string | KeyObject | JsonWebKey,
  activeFrom = 0,
): JwtKey {
  checkKid(kid);
  let pair: ReturnType<typeof privateKeyPair>;
  try {
    pair = privateKeyPair(alg, privateKey);
  } catch (error) {
    const detail = error instanceof TypeError && /PEM/.test(error.message) ? `: ${error.message}` : '';
    throw new TypeError(
      `tessera: key "${kid}" is not a private ${alg === 'EdDSA' ? 'Ed25519' : 'P-256'} key${detail}`,
      { cause: error },
    );
  }
  return Object.freeze({ kid, alg, privateKey: pair.privateKey, publicKey: pair.publicKey, activeFrom });
}

export function exportJwtKey(key: JwtKey): StoredJwtKey {
  return { kid: key.kid, alg: key.alg, activeFrom: key.activeFrom, jwk: exportJwk(key.privateKey) };
}

export function importJwtKey(stored: StoredJwtKey): JwtKey {
  if (!JWT_ALGORITHMS.includes(stored.alg))
    throw new TypeError(`tessera: unsupported algorithm ${stored.alg}`);
  if (typeof stored.activeFrom !== 'number') throw new TypeError('tessera: stored key without activeFrom');
  if (stored.alg === 'HS256') {
    const k = String(stored.jwk.k ?? '');
    if (!/^[A-Za-z0-9_-]*$/.test(k))
      throw new TypeError(`tessera: HS256 key "${stored.kid}" is not base64url`);
    return hmacKey(stored.kid, decodeBase64url(k), stored.activeFrom);
  }
  return privateJwtKey(stored.kid, stored.alg, stored.jwk, stored.activeFrom);
}

/** The public JWK of a key for a JWKS document: never the private part, never an HMAC secret. */
export function publicJwk(key: JwtKey): JsonWebKey | null {
  if (key.alg === 'HS256') return null;
  const jwk = exportJwk(key.publicKey);
  return { ...jwk, kid: key.kid, alg: key.alg, use: 'sig' };
}

function checkKid(kid: string): void {
  if (typeof kid !== 'string' || !KID.test(kid)) {
    throw new TypeError('tessera: a key id (kid) must be 1-64 characters of A-Z a-z 0-9 _ -');
  }
}
