import { base64url, sha256Base64url } from './base64url.js';
import { type StoredKey, signJws } from './dpop-key.js';

/** What one proof is made for. */
export interface ProofFor {
  readonly method: string;
  readonly url: string;
  /** The access token sent with the proof (its hash becomes `ath`); none at the token endpoints. */
  readonly accessToken?: string;
  /** The server's latest `DPoP-Nonce`, when it gave one. */
  readonly nonce?: string;
}

/**
 * A DPoP proof (RFC 9449 4.2): header `typ: dpop+jwt`, `alg: ES256` and the public `jwk`; claims `jti` (128
 * random bits, so each proof is new to the server's replay check), `htm`, `htu` (the URL without query and
 * fragment, 4.2), `iat`, and `ath` / `nonce` when they apply.
 */
export async function createProof(key: StoredKey, target: ProofFor, nowMs: number): Promise<string> {
  const url = new URL(target.url);
  const payload: Record<string, string | number> = {
    jti: base64url(crypto.getRandomValues(new Uint8Array(16))),
    htm: target.method.toUpperCase(),
    htu: `${url.origin}${url.pathname}`,
    iat: Math.floor(nowMs / 1000),
  };
  if (target.accessToken !== undefined) payload.ath = await sha256Base64url(target.accessToken);
  if (target.nonce !== undefined) payload.nonce = target.nonce;
  return signJws(key, { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk }, payload);
}
