import { sha256 } from './hash.js';

/**
 * Public keys that clients prove possession of (DPoP proofs, DBSC device keys): the asymmetric algorithms with
 * small keys that browsers and TPMs make natively.
 */
export type DpopAlgorithm = 'ES256' | 'EdDSA';

export const DPOP_ALGORITHMS: readonly DpopAlgorithm[] = Object.freeze(['ES256', 'EdDSA']);

/** A public key as a proof carries it, reduced to the members that define it (RFC 7638 3.2). */
export type DpopPublicJwk =
  | { readonly kty: 'EC'; readonly crv: 'P-256'; readonly x: string; readonly y: string }
  | { readonly kty: 'OKP'; readonly crv: 'Ed25519'; readonly x: string };

/** 32 bytes in unpadded base64url: a P-256 coordinate or an Ed25519 public key. */
const COORDINATE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Members that would make the JWK a private or symmetric key: a proof carrying one is refused (RFC 9449 4.3). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/**
 * The public key of a proof header for `alg`, or null when it is not exactly a public key of the algorithm's one
 * curve (an ES256 proof with an Ed25519 key, a private key, a coordinate of the wrong length…).
 */
export function publicJwkFor(alg: DpopAlgorithm, jwk: unknown): DpopPublicJwk | null {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return null;
  const members = jwk as Record<string, unknown>;
  for (const name of PRIVATE_MEMBERS) if (name in members) return null;
  const { kty, crv, x, y } = members;
  if (typeof x !== 'string' || !COORDINATE.test(x)) return null;
  if (alg === 'ES256') {
    if (kty !== 'EC' || crv !== 'P-256' || typeof y !== 'string' || !COORDINATE.test(y)) return null;
    return { kty, crv, x, y };
  }
  if (kty !== 'OKP' || crv !== 'Ed25519' || y !== undefined) return null;
  return { kty, crv, x };
}

/**
 * The RFC 7638 SHA-256 thumbprint of a public key, base64url: the required members in lexicographic order,
 * no white space. This is the `jkt` a bound token carries in `cnf` (RFC 9449 6.1).
 */
export function jwkThumbprint(jwk: DpopPublicJwk): string {
  const canonical =
    jwk.kty === 'EC'
      ? `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
      : `{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`;
  return sha256(canonical);
}
