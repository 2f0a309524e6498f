/**
 * The JOSE provider: JWS compact signing and verification and the keys behind them, synchronous on every
 * platform. `#jose` (package.json `imports`) picks one by export condition, as `#crypto` does: `jose-node.js`
 * (node:crypto key objects and fast-jwt) for Node, Bun and Deno; `jose-web.js` (@noble/curves and
 * @noble/hashes) for workerd, edge-light and browser bundles. Tessera's own JOSE rules (one algorithm per key,
 * the header allow-list, `typ`, duplicate members, canonical signatures, claims) sit above this in
 * src/stateless/jwt; this layer only signs, checks signatures and decodes. test/stateless/jose-provider.test.ts
 * holds both to the same answers.
 */
import type { JsonWebKey, KeyObject } from 'node:crypto';

/** Which provider this is. */
export declare const joseProviderName: 'node' | 'web';

/** The signature algorithms of this layer. */
export type JwsAlgorithm = 'EdDSA' | 'ES256' | 'HS256';

/** A key prepared for signing or verifying: a `KeyObject` on Node, plain bytes on the web. Opaque. */
export type JoseKey = { readonly __tesseraJoseKey: true };

export interface JoseKeyPair {
  readonly privateKey: JoseKey;
  readonly publicKey: JoseKey;
}

/** Why a token's JWS was refused. */
export type JwsFailure = 'signature' | 'algorithm' | 'malformed' | 'claims' | 'type';

/** Thrown by a verifier; `reason` says why. */
export declare class JwsError extends Error {
  readonly reason: JwsFailure;
  constructor(reason: JwsFailure, message?: string);
}

/** A new key pair from the platform CSPRNG. Never call at module scope: workerd refuses random values there. */
export declare function generateKeyPair(alg: 'EdDSA' | 'ES256'): JoseKeyPair;

/** An HMAC-SHA256 key (the caller checks its length). */
export declare function secretKey(bytes: Uint8Array): JoseKey;

/**
 * The pair of a private key given as a JWK, a PKCS#8 PEM (Node only: the web provider refuses PEM with a
 * `TypeError` naming the JWK form) or a `KeyObject`. `TypeError` when it is not a private key of the
 * algorithm's curve (Ed25519 for EdDSA, P-256 for ES256).
 */
export declare function privateKeyPair(
  alg: 'EdDSA' | 'ES256',
  key: string | JsonWebKey | KeyObject,
): JoseKeyPair;

/** A public key from the members that define it (RFC 7638); throws when the point is not on the curve. */
export declare function publicKeyFromJwk(
  alg: 'EdDSA' | 'ES256',
  jwk: { kty: string; crv: string; x: string; y?: string },
): JoseKey;

/** The JWK of a key: with `d` for a private key, `k` for an HMAC key, public members only for a public key. */
export declare function exportJwk(key: JoseKey): JsonWebKey;

/** Signs payloads as JWS compact tokens under `header`, whose members are written in the order given. */
export declare function jwsSigner(
  alg: JwsAlgorithm,
  key: JoseKey,
  header: Readonly<Record<string, unknown>>,
): (payload: Readonly<Record<string, unknown>>) => string;

/**
 * Verifies a JWS compact token made with `alg` under `key` and returns its payload (a JSON object). Throws a
 * `JwsError`: `algorithm` when the header names another algorithm, `signature` when the signature does not
 * verify or is missing, `malformed` for anything that is not three base64url JSON segments.
 */
export declare function jwsVerifier(
  alg: JwsAlgorithm,
  key: JoseKey,
): (token: string) => Record<string, unknown>;
