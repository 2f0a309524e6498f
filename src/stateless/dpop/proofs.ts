import { jwsVerifier, publicKeyFromJwk } from '#jose';
import { decodeProtectedHeader } from 'jose';
import { type Clock, systemClock } from '../../core/clock.js';
import { sha256 } from '../../core/hash.js';
import type { OneTimeKeys, StoreLifecycle } from '../../core/store.js';
import { callStore } from '../../core/store-fault.js';
import { hasDuplicateMembers, segmentText } from '../jwt/duplicates.js';
import { normalizeHtu } from './htu.js';
import { DPOP_ALGORITHMS, type DpopAlgorithm, jwkThumbprint, publicJwkFor } from './jwk.js';
import type { DpopNonces } from './nonces.js';

export interface DpopProofsOptions {
  /** Where each proof's `jti` is recorded as used (RFC 9449 11.1), shared by every node: usually the session store. */
  store: OneTimeKeys & Pick<StoreLifecycle, 'kind'>;
  /** Algorithms accepted. @default ['ES256', 'EdDSA'] */
  algorithms?: readonly DpopAlgorithm[];
  /** Seconds a proof is accepted after its `iat`. @default 60 */
  maxAge?: number;
  /** Seconds a proof's `iat` may be ahead of this server's clock. @default 5 */
  clockTolerance?: number;
  /**
   * Server-supplied nonces (RFC 9449 8): with them every proof must carry a recent nonce of this server, and a
   * proof without one is answered `use_dpop_nonce` with the nonce to use.
   * @default null (no nonce asked for)
   */
  nonces?: DpopNonces | null;
  /** Longest proof accepted, in characters. @default 4096 */
  maxProofBytes?: number;
  /**
   * Proof headers (and so public keys) whose checked form and verifier are kept ready, most recently used: a
   * client sends the same header with every proof, so its header checks, JWK thumbprint and verifier are
   * computed once. Headers longer than 512 characters are never kept (at most about 10 MB at the default).
   * @default 10000
   */
  keyCacheSize?: number;
  /** @default Date.now */
  clock?: Clock;
}

/** The request a proof must have been made for. */
export interface ProofTarget {
  /** The HTTP method of the request. */
  readonly method: string;
  /** The absolute URL the client called (query and fragment are ignored). */
  readonly url: string;
  /** The access token sent with the proof: the proof must carry its hash (`ath`). */
  readonly accessToken?: string;
  /**
   * The server cannot tell whether the client used http or https (a plain socket, no trusted proxy header): the
   * scheme of `htu` is then not compared, only host, port and path. @default false
   */
  readonly schemeUnknown?: boolean;
}

/** Why a proof was refused (logs and events; clients see the RFC error). */
export type DpopInvalidReason =
  | 'missing'
  | 'multiple'
  | 'oversized'
  | 'malformed'
  | 'header'
  | 'type'
  | 'algorithm'
  | 'key'
  | 'signature'
  | 'claims'
  | 'method'
  | 'url'
  | 'too_old'
  | 'not_yet_valid'
  | 'token_hash'
  | 'nonce'
  | 'replay';

export type DpopResult =
  | {
      readonly ok: true;
      /** RFC 7638 thumbprint of the proof's key: what `cnf.jkt` binds a token to. */
      readonly jkt: string;
      /** Set when the client should switch to a newer nonce: send it as `DPoP-Nonce`. */
      readonly nextNonce?: string;
    }
  | {
      readonly ok: false;
      /** The RFC 9449 error: `use_dpop_nonce` when only the nonce was missing or stale. */
      readonly error: 'invalid_dpop_proof' | 'use_dpop_nonce';
      readonly reason: DpopInvalidReason;
      /** The nonce to retry with, when nonces are on. */
      readonly nonce?: string;
    };

type Verify = (token: string) => Record<string, unknown>;

/** A proof header that passed every header check: its key's thumbprint and the key's verifier. */
interface CheckedHeader {
  readonly jkt: string;
  readonly verify: Verify;
}

/** Longest header segment kept in the cache (a P-256 or Ed25519 header is about 200-250 characters). */
const MAX_CACHED_HEADER = 512;
/** Distinct `htu` and target URLs whose normalised form is kept (per instance). */
const HTU_CACHE_SIZE = 1000;

/** Header parameters a proof may carry; anything else (`kid`, `x5c`, `jku`, `crit`…) is refused. */
const ALLOWED_HEADER = new Set(['typ', 'alg', 'jwk']);
/** `jti`: at least 96 bits of base64url or a UUID's worth of characters, at most a reasonable size. */
const JTI = /^[\x21-\x7e]{12,128}$/;
const HTM = /^[A-Z]{3,10}$/;

/**
 * Verifies DPoP proofs (RFC 9449 4.3): `typ` `dpop+jwt`, an allowed asymmetric `alg` with exactly a public `jwk`
 * of its curve, the signature (the JOSE provider, one verifier per key, cached), `htm` and `htu` against the request,
 * `iat` inside the window, `ath` for the access token, the server nonce when asked for, and last, once everything
 * else holds, the `jti` recorded in the store so the same proof is accepted once on any node.
 */
export class DpopProofs {
  readonly algorithms: readonly DpopAlgorithm[];
  readonly nonces: DpopNonces | null;
  readonly #store: OneTimeKeys & Pick<StoreLifecycle, 'kind'>;
  readonly #maxAgeMs: number;
  readonly #toleranceMs: number;
  readonly #maxBytes: number;
  readonly #cacheSize: number;
  readonly #clock: Clock;
  /** By the proof's header segment, exactly as sent. */
  readonly #headers = new Map<string, CheckedHeader>();
  readonly #htus = new Map<string, string | null>();

  constructor(options: DpopProofsOptions) {
    if (options?.store === undefined || typeof options.store.useOnce !== 'function') {
      throw new TypeError('tessera: DPoP proofs need a store with useOnce (any Tessera store)');
    }
    const algorithms = options.algorithms ?? DPOP_ALGORITHMS;
    if (
      !Array.isArray(algorithms) ||
      algorithms.length === 0 ||
      !algorithms.every((alg) => DPOP_ALGORITHMS.includes(alg))
    ) {
      throw new TypeError('tessera: DPoP algorithms must be a non-empty list of ES256, EdDSA');
    }
    const maxAge = options.maxAge ?? 60;
    if (!Number.isInteger(maxAge) || maxAge < 1 || maxAge > 600) {
      throw new TypeError('tessera: DPoP maxAge must be 1..600 seconds');
    }
    const tolerance = options.clockTolerance ?? 5;
    if (!(tolerance >= 0 && tolerance <= 300)) {
      throw new TypeError('tessera: DPoP clockTolerance must be 0..300 seconds');
    }
    this.algorithms = Object.freeze([...algorithms]);
    this.nonces = options.nonces ?? null;
    this.#store = options.store;
    this.#maxAgeMs = maxAge * 1000;
    this.#toleranceMs = tolerance * 1000;
    this.#maxBytes = options.maxProofBytes ?? 4096;
    this.#cacheSize = options.keyCacheSize ?? 10_000;
    this.#clock = options.clock ?? systemClock;
  }

  /** `WWW-Authenticate` for a DPoP refusal (RFC 9449 7.1), or for a request that sent no token (no `error`). */
  challenge(error?: 'invalid_dpop_proof' | 'use_dpop_nonce' | 'invalid_token'): string {
    const algs = `algs="${this.algorithms.join(' ')}"`;
    return error === undefined ? `DPoP ${algs}` : `DPoP error="${error}", ${algs}`;
  }

  /**
   * Checks the proof of one request. `proof` is the `DPoP` header as received (null when absent; two headers
   * joined with a comma are refused). Store faults throw `StoreUnavailableError` (503).
   */
  async verify(proof: string | null | undefined, target: ProofTarget): Promise<DpopResult> {
    const checked = this.#check(proof, target);
    if (!checked.ok) return checked;
    const { jkt, jti, iat, nextNonce } = checked;
    // Last, so a proof refused for any other reason never takes a store write.
    const key = `dpop:${sha256(`${jkt}|${jti}`)}`;
    const expiresAt = iat * 1000 + this.#maxAgeMs + this.#toleranceMs;
    const now = this.#clock();
    const first = await callStore(this.#store.kind, 'dpop replay check', () =>
      this.#store.useOnce(key, expiresAt, now),
    );
    if (!first) return this.#invalid('replay');
    return nextNonce === undefined ? { ok: true, jkt } : { ok: true, jkt, nextNonce };
  }

  #check(
    proof: string | null | undefined,
    target: ProofTarget,
  ): { ok: true; jkt: string; jti: string; iat: number; nextNonce?: string } | (DpopResult & { ok: false }) {
    if (proof === null || proof === undefined || proof === '') return this.#invalid('missing');
    if (typeof proof !== 'string' || proof.length > this.#maxBytes) return this.#invalid('oversized');
    if (proof.includes(',')) return this.#invalid('multiple');
    const checkedHeader = this.#headerOf(proof);
    if ('ok' in checkedHeader) return checkedHeader;
    const { jkt } = checkedHeader;
    let payload: Record<string, unknown>;
    try {
      payload = checkedHeader.verify(proof);
    } catch {
      return this.#invalid('signature');
    }
    if (hasDuplicateMembers(segmentText(proof, 1) ?? '{"":0,"":0}')) return this.#invalid('malformed');
    const { jti, htm, htu, iat, ath, nonce } = payload;
    if (typeof jti !== 'string' || !JTI.test(jti) || typeof htm !== 'string' || typeof htu !== 'string') {
      return this.#invalid('claims');
    }
    if (!Number.isSafeInteger(iat)) return this.#invalid('claims');
    if (!HTM.test(htm) || htm !== target.method.toUpperCase()) return this.#invalid('method');
    // A target that is not an absolute http(s) URL (a request with a malformed Host) matches no proof.
    const expected = this.#normalizedHtu(target.url);
    const given = this.#normalizedHtu(htu);
    if (expected === null || given === null) return this.#invalid('url');
    if (
      target.schemeUnknown === true ? withoutScheme(given) !== withoutScheme(expected) : given !== expected
    ) {
      return this.#invalid('url');
    }
    if (target.accessToken !== undefined) {
      if (typeof ath !== 'string' || ath !== sha256(target.accessToken)) return this.#invalid('token_hash');
    } else if (ath !== undefined) {
      return this.#invalid('claims');
    }
    let nextNonce: string | undefined;
    if (this.nonces !== null) {
      const state = this.nonces.check(nonce);
      if (state === 'invalid') {
        return { ok: false, error: 'use_dpop_nonce', reason: 'nonce', nonce: this.nonces.current() };
      }
      if (state === 'previous') nextNonce = this.nonces.current();
    } else if (nonce !== undefined && typeof nonce !== 'string') {
      return this.#invalid('claims');
    }
    // Freshness: within `maxAge` after `iat`, and not from the future beyond the tolerance.
    const now = this.#clock();
    const issuedAt = (iat as number) * 1000;
    if (issuedAt - this.#toleranceMs > now) return this.#invalid('not_yet_valid');
    if (issuedAt + this.#maxAgeMs <= now) return this.#invalid('too_old');
    return nextNonce === undefined
      ? { ok: true, jkt, jti, iat: iat as number }
      : { ok: true, jkt, jti, iat: iat as number, nextNonce };
  }

  /**
   * The proof's header checked (only `typ`, `alg`, `jwk`; no duplicate members; `typ` `dpop+jwt`; an allowed
   * `alg`; exactly a public JWK of its curve) with its key's thumbprint and verifier; cached by the header
   * segment, most recently used last, so a client's repeated header is checked once.
   */
  #headerOf(proof: string): CheckedHeader | (DpopResult & { ok: false }) {
    const end = proof.indexOf('.');
    const segment = end > 0 ? proof.slice(0, end) : '';
    const cached = this.#headers.get(segment);
    if (cached !== undefined) {
      this.#headers.delete(segment);
      this.#headers.set(segment, cached);
      return cached;
    }
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(proof) as Record<string, unknown>;
    } catch {
      return this.#invalid('malformed');
    }
    for (const name in header) if (!ALLOWED_HEADER.has(name)) return this.#invalid('header');
    if (hasDuplicateMembers(segmentText(proof, 0) ?? '{"":0,"":0}')) return this.#invalid('header');
    // RFC 9449 4.2: exactly `dpop+jwt` (compared as a media type: case-insensitive, `application/` optional).
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : '';
    if (typ !== 'dpop+jwt') return this.#invalid('type');
    const alg = header.alg as DpopAlgorithm;
    if (typeof alg !== 'string' || !this.algorithms.includes(alg)) return this.#invalid('algorithm');
    const jwk = publicJwkFor(alg, header.jwk);
    if (jwk === null) return this.#invalid('key');
    let verify: Verify;
    try {
      verify = jwsVerifier(alg, publicKeyFromJwk(alg, jwk));
    } catch {
      // Not a point on the curve, or a key the verifier refuses.
      return this.#invalid('key');
    }
    const checked: CheckedHeader = { jkt: jwkThumbprint(jwk), verify };
    if (segment.length <= MAX_CACHED_HEADER) remember(this.#headers, segment, checked, this.#cacheSize);
    return checked;
  }

  /** `normalizeHtu`, remembered for the last few distinct URLs (clients call the same few). */
  #normalizedHtu(text: string): string | null {
    if (typeof text !== 'string') return null;
    const cached = this.#htus.get(text);
    if (cached !== undefined) return cached;
    const normalized = normalizeHtu(text);
    if (text.length <= 2048) remember(this.#htus, text, normalized, HTU_CACHE_SIZE);
    return normalized;
  }

  #invalid(reason: DpopInvalidReason): DpopResult & { ok: false } {
    return this.nonces === null
      ? { ok: false, error: 'invalid_dpop_proof', reason }
      : { ok: false, error: 'invalid_dpop_proof', reason, nonce: this.nonces.current() };
  }
}

/** Adds an entry to a most-recently-used map, dropping the least recently used one past `limit`. */
function remember<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  if (map.size >= limit) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  map.set(key, value);
}

/** A normalised http(s) URL after its `scheme:`. */
function withoutScheme(url: string): string {
  return url.slice(url.indexOf(':'));
}
