import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';

/** Signature algorithms Tessera issues access tokens with. EdDSA (Ed25519) is the default (RFC 8037). */
export type JwtAlgorithm = 'EdDSA' | 'ES256' | 'HS256';
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = Object.freeze(['EdDSA', 'ES256', 'HS256']);

/** One signing key. Each key allows exactly one algorithm (RFC 8725 3.1: never let the token choose). */
export interface JwtKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  /** The private key, or the HMAC secret for HS256. */
  readonly privateKey: KeyObject;
  /** The public key; for HS256 the same secret (never published). */
  readonly publicKey: KeyObject;
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
  const id = kid ?? randomBytes(12).toString('base64url');
  checkKid(id);
  if (alg === 'HS256') return hmacKey(id, randomBytes(32), activeFrom);
  const pair =
    alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return Object.freeze({ kid: id, alg, privateKey: pair.privateKey, publicKey: pair.publicKey, activeFrom });
}

/** An HS256 key from a secret of at least 32 bytes (RFC 7518 3.2: the key must be at least the hash size). */
export function hmacKey(kid: string, secret: string | Uint8Array, activeFrom = 0): JwtKey {
  checkKid(kid);
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.byteLength < MIN_HMAC_BYTES) {
    throw new TypeError(`tessera: HS256 key "${kid}" needs at least ${MIN_HMAC_BYTES} bytes`);
  }
  const key = createSecretKey(bytes);
  return Object.freeze({ kid, alg: 'HS256', privateKey: key, publicKey: key, activeFrom });
}

/** An asymmetric key from a private key (PEM, or a KeyObject). The algorithm must match the key type. */
export function privateJwtKey(
  kid: string,
  alg: 'EdDSA' | 'ES256',
  privateKey: string | KeyObject,
  activeFrom = 0,
): JwtKey {
  checkKid(kid);
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (
    key.type !== 'private' ||
    (alg === 'EdDSA' ? type !== 'ed25519' : type !== 'ec' || curve !== 'prime256v1')
  ) {
    throw new TypeError(
      `tessera: key "${kid}" is not a private ${alg === 'EdDSA' ? 'Ed25519' : 'P-256'} key`,
    );
  }
  return Object.freeze({ kid, alg, privateKey: key, publicKey: createPublicKey(key), activeFrom });
}

export function exportJwtKey(key: JwtKey): StoredJwtKey {
  return {
    kid: key.kid,
    alg: key.alg,
    activeFrom: key.activeFrom,
    jwk: key.privateKey.export({ format: 'jwk' }),
  };
}

export function importJwtKey(stored: StoredJwtKey): JwtKey {
  if (!JWT_ALGORITHMS.includes(stored.alg))
    throw new TypeError(`tessera: unsupported algorithm ${stored.alg}`);
  if (typeof stored.activeFrom !== 'number') throw new TypeError('tessera: stored key without activeFrom');
  if (stored.alg === 'HS256') {
    const secret = Buffer.from(String(stored.jwk.k ?? ''), 'base64url');
    return hmacKey(stored.kid, secret, stored.activeFrom);
  }
  return privateJwtKey(
    stored.kid,
    stored.alg,
    createPrivateKey({ key: stored.jwk, format: 'jwk' }),
    stored.activeFrom,
  );
}

/** The public JWK of a key for a JWKS document: never the private part, never an HMAC secret. */
export function publicJwk(key: JwtKey): JsonWebKey | null {
  if (key.alg === 'HS256') return null;
  const jwk = key.publicKey.export({ format: 'jwk' });
  return { ...jwk, kid: key.kid, alg: key.alg, use: 'sig' };
}

/** PEM (or raw secret) in the form fast-jwt takes. */
export function signingMaterial(key: JwtKey): string | Buffer {
  return key.alg === 'HS256'
    ? key.privateKey.export()
    : (key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
}

export function verifyingMaterial(key: JwtKey): string | Buffer {
  return key.alg === 'HS256'
    ? key.publicKey.export()
    : (key.publicKey.export({ type: 'spki', format: 'pem' }) as string);
}

function checkKid(kid: string): void {
  if (typeof kid !== 'string' || !KID.test(kid)) {
    throw new TypeError('tessera: a key id (kid) must be 1-64 characters of A-Z a-z 0-9 _ -');
  }
}
