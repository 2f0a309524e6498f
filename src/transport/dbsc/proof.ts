import { jwsVerifier, publicKeyFromJwk } from '#jose';
import { decodeProtectedHeader } from 'jose';
import { type DpopPublicJwk, jwkThumbprint, publicJwkFor } from '../../core/public-jwk.js';

/** What a verified DBSC proof says: the challenge it signed and the key that signed it. */
export interface DbscProof {
  readonly challenge: string;
  readonly jwk: DpopPublicJwk;
  readonly thumbprint: string;
  /** The `authorization` claim, when the registration header asked for one. */
  readonly authorization: string | null;
}

/** Header parameters a DBSC proof may carry (W3C DBSC, "DBSC proof JWT syntax"). */
const ALLOWED_HEADER = new Set(['typ', 'alg', 'jwk']);

/**
 * Verifies a DBSC proof (`Secure-Session-Response`): `typ` `dbsc+jwt`, `alg` ES256 (the only algorithm Tessera
 * registers; `none` and RS256 are refused), signed by `expected` (the registered device key), or at registration
 * by the public key in its own `jwk` header. Returns null for anything else.
 */
export function verifyDbscProof(jwt: string, expected: DpopPublicJwk | null): DbscProof | null {
  if (jwt.length > 4096) return null;
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>;
  } catch {
    return null;
  }
  for (const name in header) if (!ALLOWED_HEADER.has(name)) return null;
  if (header.typ !== 'dbsc+jwt' || header.alg !== 'ES256') return null;
  let jwk: DpopPublicJwk | null;
  if (expected === null) {
    jwk = publicJwkFor('ES256', header.jwk);
  } else {
    // A refresh proof names no key (the spec says it must not); one that names another key is refused.
    const named = header.jwk === undefined ? expected : publicJwkFor('ES256', header.jwk);
    jwk = named !== null && jwkThumbprint(named) === jwkThumbprint(expected) ? expected : null;
  }
  if (jwk === null) return null;
  let payload: Record<string, unknown>;
  try {
    payload = jwsVerifier('ES256', publicKeyFromJwk('ES256', jwk))(jwt);
  } catch {
    return null;
  }
  const { jti, authorization } = payload;
  if (typeof jti !== 'string' || jti === '') return null;
  if (authorization !== undefined && typeof authorization !== 'string') return null;
  return { challenge: jti, jwk, thumbprint: jwkThumbprint(jwk), authorization: authorization ?? null };
}
