// @ts-check
// The JOSE provider for Node, Bun and Deno: node:crypto key objects and fast-jwt (chosen for speed; see
// docs/stateless.md). The contract and its documentation are in jose.d.ts; jose-web.js is the same for
// platforms without node: built-ins.
import * as crypto from 'node:crypto';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';

export const joseProviderName = 'node';

export class JwsError extends Error {
  /** @param {import('./jose.js').JwsFailure} reason @param {string} [message] */
  constructor(reason, message = `tessera: JWS refused (${reason})`) {
    super(message);
    this.name = 'JwsError';
    /** @readonly */
    this.reason = reason;
  }
}

/** @param {any} key @returns {import('./jose.js').JoseKey} */
const opaque = (key) => key;

/** @param {'EdDSA' | 'ES256'} alg */
export function generateKeyPair(alg) {
  const pair =
    alg === 'EdDSA'
      ? crypto.generateKeyPairSync('ed25519')
      : crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey: opaque(pair.privateKey), publicKey: opaque(pair.publicKey) };
}

/** @param {Uint8Array} bytes */
export function secretKey(bytes) {
  return opaque(crypto.createSecretKey(bytes));
}

/** @param {'EdDSA' | 'ES256'} alg @param {any} key */
export function privateKeyPair(alg, key) {
  /** @type {crypto.KeyObject} */
  let object;
  try {
    object =
      key instanceof crypto.KeyObject
        ? key
        : typeof key === 'string'
          ? crypto.createPrivateKey(key)
          : crypto.createPrivateKey({ key, format: 'jwk' });
  } catch (cause) {
    throw new TypeError(`tessera: not a private ${curveOf(alg)} key`, { cause });
  }
  const type = object.asymmetricKeyType;
  const curve = object.asymmetricKeyDetails?.namedCurve;
  if (
    object.type !== 'private' ||
    (alg === 'EdDSA' ? type !== 'ed25519' : type !== 'ec' || curve !== 'prime256v1')
  ) {
    throw new TypeError(`tessera: not a private ${curveOf(alg)} key`);
  }
  return { privateKey: opaque(object), publicKey: opaque(crypto.createPublicKey(object)) };
}

/** @param {'EdDSA' | 'ES256'} _alg @param {{ kty: string; crv: string; x: string; y?: string }} jwk */
export function publicKeyFromJwk(_alg, jwk) {
  return opaque(crypto.createPublicKey({ key: { ...jwk }, format: 'jwk' }));
}

/** @param {import('./jose.js').JoseKey} key */
export function exportJwk(key) {
  return /** @type {crypto.KeyObject} */ (/** @type {unknown} */ (key)).export({ format: 'jwk' });
}

/** @param {crypto.KeyObject} key @param {boolean} signing @returns {string | Buffer} */
function material(key, signing) {
  if (key.type === 'secret') return key.export();
  return /** @type {string} */ (
    signing ? key.export({ type: 'pkcs8', format: 'pem' }) : key.export({ type: 'spki', format: 'pem' })
  );
}

/**
 * @param {import('./jose.js').JwsAlgorithm} alg @param {import('./jose.js').JoseKey} key
 * @param {Readonly<Record<string, unknown>>} header
 */
export function jwsSigner(alg, key, header) {
  const { kid, ...rest } = header;
  /** @param {boolean} noTimestamp */
  const make = (noTimestamp) =>
    createSigner({
      key: material(/** @type {any} */ (key), true),
      algorithm: alg,
      ...(typeof kid === 'string' ? { kid } : {}),
      header: { ...rest, alg },
      noTimestamp,
    });
  // fast-jwt writes `iat` itself: the payload's own when it has one, else the time now unless told not to. The
  // contract is the payload as given, so a payload without `iat` takes the signer that writes none.
  const withTime = make(false);
  const exact = make(true);
  /** @param {Readonly<Record<string, unknown>>} payload @returns {string} */
  return (payload) => (payload.iat === undefined ? exact(payload) : withTime(payload));
}

/** @param {import('./jose.js').JwsAlgorithm} alg @param {import('./jose.js').JoseKey} key */
export function jwsVerifier(alg, key) {
  // One algorithm per key (RFC 8725 3.1); fast-jwt also refuses a key that does not fit it.
  const verify = createVerifier({
    key: material(/** @type {any} */ (key), false),
    algorithms: [alg],
    ignoreExpiration: true,
    ignoreNotBefore: true,
  });
  /** @param {string} token @returns {Record<string, unknown>} */
  return (token) => {
    try {
      return /** @type {Record<string, unknown>} */ (verify(token));
    } catch (error) {
      throw new JwsError(reasonFor(error));
    }
  };
}

/** @param {unknown} error @returns {import('./jose.js').JwsFailure} */
function reasonFor(error) {
  if (!(error instanceof TokenError)) return 'malformed';
  switch (error.code) {
    case TokenError.codes.invalidSignature:
    case TokenError.codes.missingSignature:
      return 'signature';
    case TokenError.codes.invalidAlgorithm:
      return 'algorithm';
    case TokenError.codes.invalidType:
      return 'type';
    case TokenError.codes.missingRequiredClaim:
    case TokenError.codes.invalidClaimValue:
    case TokenError.codes.invalidClaimType:
      return 'claims';
    default:
      return 'malformed';
  }
}

/** @param {'EdDSA' | 'ES256'} alg */
function curveOf(alg) {
  return alg === 'EdDSA' ? 'Ed25519' : 'P-256';
}
