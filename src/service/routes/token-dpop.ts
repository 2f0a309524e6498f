import type { DpopProofs } from '../../stateless/dpop/proofs.js';
import type { TokenService } from '../token-service.js';
import type { Body } from '../fields.js';
import { HttpError, invalidField } from '../http-errors.js';

/** The `dpop` field of a token route: the client's proof and the request it was made for, relayed by the backend. */
export interface DpopField {
  readonly proof: string;
  readonly method: string;
  readonly url: string;
}

/**
 * Reads the optional `dpop` object: `{ proof, method, url }`, where `proof` is the client's `DPoP` header, and
 * `method` and `url` the request the client sent to the backend (its token endpoint, or the API it called).
 */
export function dpopField(body: Body): DpopField | undefined {
  const value = body.dpop;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidField('dpop', 'must be an object {proof, method, url}');
  }
  const field = value as Body;
  for (const name of Object.keys(field)) {
    if (name !== 'proof' && name !== 'method' && name !== 'url') {
      throw invalidField(`dpop.${name}`, 'is not a field');
    }
  }
  const proof = member(field, 'proof', 4096);
  const method = member(field, 'method', 16);
  const url = member(field, 'url', 4096);
  if (!/^[A-Za-z]{3,10}$/.test(method)) throw invalidField('dpop.method', 'must be an HTTP method');
  if (!/^https?:\/\//i.test(url))
    throw invalidField('dpop.url', 'must be the absolute URL the client called');
  return { proof, method, url };
}

/** A required string member of `dpop`, named `dpop.<name>` in the error. */
function member(field: Body, name: string, max: number): string {
  const value = field[name];
  if (typeof value !== 'string' || value === '')
    throw invalidField(`dpop.${name}`, 'must be a non-empty string');
  if (value.length > max) throw invalidField(`dpop.${name}`, `must be at most ${max} characters`);
  return value;
}

/**
 * Verifies the relayed proof; returns the key thumbprint. A refusal is 401 `dpop_proof_invalid` or
 * `dpop_nonce_required`, with the `WWW-Authenticate` and `DPoP-Nonce` headers the backend passes to its client.
 */
export async function verifiedKey(
  proofs: DpopProofs,
  field: DpopField,
  accessToken?: string,
): Promise<string> {
  const result = await proofs.verify(field.proof, {
    method: field.method,
    url: field.url,
    ...(accessToken === undefined ? {} : { accessToken }),
  });
  if (result.ok) return result.jkt;
  const headers: [string, string][] = [['www-authenticate', proofs.challenge(result.error)]];
  if (result.nonce !== undefined) headers.push(['dpop-nonce', result.nonce]);
  if (result.error === 'use_dpop_nonce') {
    throw new HttpError(401, 'dpop_nonce_required', 'Sign the DPoP proof with the nonce in DPoP-Nonce.', {
      headers,
    });
  }
  throw new HttpError(401, 'dpop_proof_invalid', 'The DPoP proof is not valid for this request.', {
    headers,
    extra: { reason: result.reason },
  });
}

/** The key of a route's proof, or none; TESSERA_DPOP=required refuses a request without one. */
export async function proofKey(tokens: TokenService, body: Body): Promise<string | undefined> {
  const field = dpopField(body);
  if (field !== undefined) return verifiedKey(tokens.dpop, field);
  if (tokens.dpopRequired) {
    throw new HttpError(
      401,
      'dpop_proof_invalid',
      'This service issues only DPoP-bound tokens: send a proof.',
      {
        headers: [['www-authenticate', tokens.dpop.challenge('invalid_dpop_proof')]],
        extra: { reason: 'missing' },
      },
    );
  }
  return undefined;
}
