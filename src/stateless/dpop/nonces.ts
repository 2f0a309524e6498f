import { hkdfSha256, utf8Encode } from '#crypto';
import { type Clock, systemClock } from '../../core/clock.js';
import { constantTimeEqual, hmacSha256 } from '../../core/hash.js';

export interface DpopNoncesOptions {
  /** Server secret (at least 32 bytes), the same on every node, so any node accepts another's nonce. */
  secret: string | Uint8Array;
  /**
   * Seconds each nonce is issued for. A nonce is accepted during its own period and the next one, so it lives one
   * to two periods; a client that presents one from the previous period gets the current one with the answer.
   * @default 300
   */
  lifetime?: number;
  /** @default Date.now */
  clock?: Clock;
}

/** What a presented nonce is: the current one, the previous period's (still accepted: send the current), or neither. */
export type NonceState = 'current' | 'previous' | 'invalid';

/**
 * Server-supplied DPoP nonces (RFC 9449 8), without a store: a nonce is the period number and a MAC of it, so
 * every node issues and checks the same ones, and they rotate by themselves. A proof with a nonce cannot have
 * been made before the period began, which bounds how long a proof signed in advance (a client compromised for a
 * moment) stays usable, whatever its `iat` says.
 */
export class DpopNonces {
  readonly #key: Uint8Array;
  readonly #periodMs: number;
  readonly #clock: Clock;

  constructor(options: DpopNoncesOptions) {
    const secret = options?.secret;
    const bytes = typeof secret === 'string' ? utf8Encode(secret) : Uint8Array.from(secret ?? []);
    if (bytes.byteLength < 32) throw new TypeError('tessera: the DPoP nonce secret needs at least 32 bytes');
    const lifetime = options.lifetime ?? 300;
    if (!Number.isInteger(lifetime) || lifetime < 10 || lifetime > 86400) {
      throw new TypeError('tessera: the DPoP nonce lifetime must be 10..86400 seconds');
    }
    this.#key = hkdfSha256(bytes, 'tessera/dpop/v1', 'nonce', 32);
    this.#periodMs = lifetime * 1000;
    this.#clock = options.clock ?? systemClock;
  }

  /** The nonce of the current period. */
  current(): string {
    return this.#nonceOf(Math.floor(this.#clock() / this.#periodMs));
  }

  /** Whether `nonce` is this period's, the previous period's, or not one this server issued recently. */
  check(nonce: unknown): NonceState {
    if (typeof nonce !== 'string' || nonce.length > 64) return 'invalid';
    const period = Math.floor(this.#clock() / this.#periodMs);
    if (constantTimeEqual(nonce, this.#nonceOf(period))) return 'current';
    if (constantTimeEqual(nonce, this.#nonceOf(period - 1))) return 'previous';
    return 'invalid';
  }

  #nonceOf(period: number): string {
    const label = period.toString(36);
    return `${label}.${hmacSha256(this.#key, `dpop-nonce|${label}`).slice(0, 22)}`;
  }
}
