// The node:crypto KeyObject of a Tessera JWT key, for tests and benchmarks that sign or verify beside Tessera
// with node:crypto or jose: the key itself under the Node JOSE provider, rebuilt from its JWK under the web
// provider (a run with the `worker` condition), so the same file runs against either.
import { createPrivateKey, createPublicKey, createSecretKey, KeyObject } from 'node:crypto';
import { exportJwk, type JoseKey } from '#jose';

export function keyObject(key: JoseKey | KeyObject): KeyObject {
  if ((key as unknown) instanceof KeyObject) return key as unknown as KeyObject;
  const jwk = exportJwk(key as JoseKey);
  if (jwk.kty === 'oct') return createSecretKey(Buffer.from(String(jwk.k), 'base64url'));
  return jwk.d === undefined
    ? createPublicKey({ key: jwk, format: 'jwk' })
    : createPrivateKey({ key: jwk, format: 'jwk' });
}
