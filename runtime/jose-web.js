// @ts-check
// The JOSE provider for workerd, edge-light and browser bundles: no node: built-in. Ed25519 and P-256 from
// @noble/curves, HMAC-SHA256 from @noble/hashes (both audited, pure JS, synchronous, where WebCrypto's
// signatures are asynchronous). The contract and its documentation are in jose.d.ts; jose-node.js is the same
// over node:crypto and fast-jwt.
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { decodeBase64url, randomBytes, toBase64url, utf8Decode, utf8Encode } from './crypto-web.js';

export const joseProviderName = 'web';

export class JwsError extends Error {
  /** @param {import('./jose.js').JwsFailure} reason @param {string} [message] */
  constructor(reason, message = `tessera: JWS refused (${reason})`) {
    super(message);
    this.name = 'JwsError';
    /** @readonly */
    this.reason = reason;
  }
}

/**
 * @typedef {{ readonly kind: 'private' | 'public' | 'secret'; readonly alg: 'EdDSA' | 'ES256' | 'HS256';
 *   readonly d?: Uint8Array; readonly pub?: Uint8Array; readonly k?: Uint8Array }} WebKey
 */

/** @param {WebKey} key @returns {import('./jose.js').JoseKey} */
const opaque = (key) => /** @type {any} */ (Object.freeze(key));
/** @param {import('./jose.js').JoseKey} key @returns {WebKey} */
const open = (key) => /** @type {any} */ (key);

const B64URL = /^[A-Za-z0-9_-]*$/;
/** @param {unknown} text @param {number} length @returns {Uint8Array | null} */
function bytesOf(text, length) {
  if (typeof text !== 'string' || !B64URL.test(text)) return null;
  const bytes = decodeBase64url(text);
  return bytes.byteLength === length && toBase64url(bytes) === text ? bytes : null;
}

/** @param {'EdDSA' | 'ES256'} alg @param {Uint8Array} d @returns {import('./jose.js').JoseKeyPair} */
function pairOf(alg, d) {
  const pub = alg === 'EdDSA' ? ed25519.getPublicKey(d) : p256.getPublicKey(d, false);
  return {
    privateKey: opaque({ kind: 'private', alg, d: Uint8Array.from(d), pub }),
    publicKey: opaque({ kind: 'public', alg, pub }),
  };
}

/** @param {'EdDSA' | 'ES256'} alg */
export function generateKeyPair(alg) {
  // The curve's own rejection sampling over bytes from the platform CSPRNG.
  const d = alg === 'EdDSA' ? randomBytes(32) : p256.utils.randomSecretKey(randomBytes(48));
  return pairOf(alg, d);
}

/** @param {Uint8Array} bytes */
export function secretKey(bytes) {
  return opaque({ kind: 'secret', alg: 'HS256', k: Uint8Array.from(bytes) });
}

/** @param {'EdDSA' | 'ES256'} alg @param {any} key */
export function privateKeyPair(alg, key) {
  const curve = alg === 'EdDSA' ? 'Ed25519' : 'P-256';
  if (typeof key === 'string') {
    throw new TypeError(
      'tessera: PEM keys need node:crypto; on this platform give the key as a JWK (importJwtKey)',
    );
  }
  // A KeyObject (Node running this provider): its JWK.
  const jwk = typeof key?.export === 'function' ? key.export({ format: 'jwk' }) : key;
  if (typeof jwk !== 'object' || jwk === null) throw new TypeError(`tessera: not a private ${curve} key`);
  const d = bytesOf(jwk.d, 32);
  const okType =
    alg === 'EdDSA' ? jwk.kty === 'OKP' && jwk.crv === 'Ed25519' : jwk.kty === 'EC' && jwk.crv === 'P-256';
  if (!okType || d === null || (alg === 'ES256' && !p256.utils.isValidSecretKey(d))) {
    throw new TypeError(`tessera: not a private ${curve} key`);
  }
  const pair = pairOf(alg, d);
  // A JWK that carries its public members must carry this key's.
  const given = exportJwk(pair.publicKey);
  if ((jwk.x !== undefined && jwk.x !== given.x) || (jwk.y !== undefined && jwk.y !== given.y)) {
    throw new TypeError(`tessera: the ${curve} JWK's public members do not match its private key`);
  }
  return pair;
}

/** @param {'EdDSA' | 'ES256'} alg @param {{ kty: string; crv: string; x: string; y?: string }} jwk */
export function publicKeyFromJwk(alg, jwk) {
  const x = bytesOf(jwk.x, 32);
  if (x === null) throw new TypeError('tessera: a public key coordinate is 32 bytes');
  if (alg === 'EdDSA') {
    // Not a point of the curve: thrown here, as node:crypto does.
    ed25519.Point.fromBytes(x);
    return opaque({ kind: 'public', alg, pub: x });
  }
  const y = bytesOf(jwk.y, 32);
  if (y === null) throw new TypeError('tessera: a public key coordinate is 32 bytes');
  const pub = new Uint8Array(65);
  pub[0] = 4;
  pub.set(x, 1);
  pub.set(y, 33);
  p256.Point.fromBytes(pub).assertValidity();
  return opaque({ kind: 'public', alg, pub });
}

/** @param {import('./jose.js').JoseKey} handle */
export function exportJwk(handle) {
  const key = open(handle);
  if (key.kind === 'secret') return { kty: 'oct', k: toBase64url(/** @type {Uint8Array} */ (key.k)) };
  const pub = /** @type {Uint8Array} */ (key.pub);
  /** @type {Record<string, string>} */
  const jwk =
    key.alg === 'EdDSA'
      ? { crv: 'Ed25519', x: toBase64url(pub), kty: 'OKP' }
      : { kty: 'EC', x: toBase64url(pub.subarray(1, 33)), y: toBase64url(pub.subarray(33)), crv: 'P-256' };
  if (key.kind === 'private') jwk.d = toBase64url(/** @type {Uint8Array} */ (key.d));
  return jwk;
}

/** @param {WebKey} key @param {Uint8Array} input @returns {Uint8Array} */
function signBytes(key, input) {
  if (key.alg === 'HS256') return hmac(sha256, /** @type {Uint8Array} */ (key.k), input);
  const d = /** @type {Uint8Array} */ (key.d);
  // ES256: SHA-256 of the input, the compact r || s form JWS uses (RFC 7518 3.4), hedged nonces.
  return key.alg === 'EdDSA' ? ed25519.sign(input, d) : p256.sign(input, d, { extraEntropy: true });
}

/**
 * @param {import('./jose.js').JwsAlgorithm} alg @param {import('./jose.js').JoseKey} handle
 * @param {Readonly<Record<string, unknown>>} header
 */
export function jwsSigner(alg, handle, header) {
  const key = open(handle);
  if (key.alg !== alg || (alg !== 'HS256' && key.kind !== 'private')) {
    throw new TypeError(`tessera: the key does not sign ${alg}`);
  }
  const head = toBase64url(utf8Encode(JSON.stringify({ alg, ...header })));
  /** @param {Readonly<Record<string, unknown>>} payload @returns {string} */
  return (payload) => {
    const body = `${head}.${toBase64url(utf8Encode(JSON.stringify(payload)))}`;
    return `${body}.${toBase64url(signBytes(key, utf8Encode(body)))}`;
  };
}

/** @param {string} segment @returns {Record<string, unknown>} */
function jsonObject(segment) {
  let value;
  try {
    value = JSON.parse(utf8Decode(decodeBase64url(segment)));
  } catch {
    throw new JwsError('malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwsError('malformed');
  return value;
}

/** @param {Uint8Array} a @param {Uint8Array} b */
function sameBytes(a, b) {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

/** @param {import('./jose.js').JwsAlgorithm} alg @param {import('./jose.js').JoseKey} handle */
export function jwsVerifier(alg, handle) {
  const key = open(handle);
  if (key.alg !== alg) throw new TypeError(`tessera: the key does not verify ${alg}`);
  /** @param {string} token @returns {Record<string, unknown>} */
  return (token) => {
    if (typeof token !== 'string') throw new JwsError('malformed');
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((part) => B64URL.test(part))) throw new JwsError('malformed');
    const [head, body, signature] = /** @type {[string, string, string]} */ (parts);
    const header = jsonObject(head);
    if (header.alg !== alg) throw new JwsError('algorithm');
    const payload = jsonObject(body);
    if (signature === '') throw new JwsError('signature');
    const sig = decodeBase64url(signature);
    const input = utf8Encode(`${head}.${body}`);
    let ok = false;
    try {
      if (alg === 'HS256') ok = sameBytes(hmac(sha256, /** @type {Uint8Array} */ (key.k), input), sig);
      else if (alg === 'EdDSA')
        ok = ed25519.verify(sig, input, /** @type {Uint8Array} */ (key.pub), { zip215: false });
      else
        ok =
          sig.length === 64 && p256.verify(sig, input, /** @type {Uint8Array} */ (key.pub), { lowS: false });
    } catch {
      ok = false;
    }
    if (!ok) throw new JwsError('signature');
    return payload;
  };
}
