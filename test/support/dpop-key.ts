import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface ProofInput {
  htm: string;
  htu: string;
  /** Seconds; the clock's now by default. */
  iat?: number;
  /** The access token the proof goes with (its `ath`). */
  accessToken?: string;
  nonce?: string;
  jti?: string;
  /** Claims to add or replace (undefined removes). */
  claims?: Record<string, unknown>;
  /** Header parameters to add or replace (undefined removes). */
  header?: Record<string, unknown>;
}

let proofs = 0;

/** A client's DPoP key, signing proofs with jose (an implementation independent of Tessera's verifier). */
export class DpopTestKey {
  readonly alg: 'ES256' | 'EdDSA';
  readonly publicJwk: JWK;
  readonly jkt: string;
  readonly #privateKey: CryptoKey;
  readonly #now: () => number;

  private constructor(
    alg: 'ES256' | 'EdDSA',
    privateKey: CryptoKey,
    publicJwk: JWK,
    jkt: string,
    now: () => number,
  ) {
    this.alg = alg;
    this.#privateKey = privateKey;
    this.publicJwk = publicJwk;
    this.jkt = jkt;
    this.#now = now;
  }

  static async create(alg: 'ES256' | 'EdDSA' = 'ES256', now: () => number = Date.now): Promise<DpopTestKey> {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    return new DpopTestKey(alg, privateKey, publicJwk, await calculateJwkThumbprint(publicJwk), now);
  }

  /** The private JWK (for the test that a proof carrying one is refused). */
  async privateJwk(): Promise<JWK> {
    return exportJWK(this.#privateKey);
  }

  async proof(input: ProofInput): Promise<string> {
    const payload: Record<string, unknown> = {
      jti: input.jti ?? `proof-${++proofs}-${Math.random().toString(36).slice(2)}`,
      htm: input.htm,
      htu: input.htu,
      iat: input.iat ?? Math.floor(this.#now() / 1000),
      ...(input.accessToken === undefined
        ? {}
        : { ath: createHash('sha256').update(input.accessToken).digest('base64url') }),
      ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
    };
    for (const [name, value] of Object.entries(input.claims ?? {})) {
      if (value === undefined) delete payload[name];
      else payload[name] = value;
    }
    const header: Record<string, unknown> = { typ: 'dpop+jwt', alg: this.alg, jwk: this.publicJwk };
    for (const [name, value] of Object.entries(input.header ?? {})) {
      if (value === undefined) delete header[name];
      else header[name] = value;
    }
    return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(this.#privateKey);
  }
}
