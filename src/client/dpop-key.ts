import { base64url, sha256Base64url, utf8 } from './base64url.js';
import type { ClientStorage } from './storage.js';

/** The public part of the key, as a proof's `jwk` header carries it (RFC 7638 3.2 members only). */
export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

/** The client's DPoP key as stored in IndexedDB: the private key cannot be exported, only used to sign. */
export interface StoredKey {
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: PublicJwk;
  /** RFC 7638 thumbprint of `jwk`: the `jkt` the server binds tokens to. */
  readonly jkt: string;
}

const ALGORITHM: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };

/**
 * The origin's key, created on first use. `extractable: false` applies to the private key: WebCrypto refuses
 * `exportKey` and `wrapKey` for it, and IndexedDB keeps it as an opaque handle, so script can sign with it while
 * the page is open but never copy it out (RFC 9449 2, "a key that never leaves the client").
 */
export async function loadOrCreateKey(storage: ClientStorage): Promise<StoredKey> {
  const stored = await storage.get<StoredKey>('key');
  if (isStoredKey(stored)) return stored;
  const pair = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
  const exported = await crypto.subtle.exportKey('jwk', pair.publicKey); // public keys are always extractable
  const jwk: PublicJwk = { kty: 'EC', crv: 'P-256', x: exported.x as string, y: exported.y as string };
  const created: StoredKey = {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    jwk,
    jkt: await thumbprint(jwk),
  };
  // Two tabs starting at once both generate a key; the first one stored wins and both use it.
  return storage.putIfAbsent('key', created);
}

/** RFC 7638: SHA-256 of the required members in lexicographic order, without white space. */
export function thumbprint(jwk: PublicJwk): Promise<string> {
  return sha256Base64url(`{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`);
}

/** An ES256 JWS (RFC 7515 compact form). WebCrypto's ECDSA signature is already JWS's `r || s` (RFC 7518 3.4). */
export async function signJws(key: StoredKey, header: object, payload: object): Promise<string> {
  const input = `${base64url(utf8(JSON.stringify(header)))}.${base64url(utf8(JSON.stringify(payload)))}`;
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, utf8(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

function isStoredKey(value: unknown): value is StoredKey {
  const key = value as Partial<StoredKey> | undefined;
  return key?.privateKey instanceof CryptoKey && typeof key.jkt === 'string' && key.jwk?.kty === 'EC';
}
