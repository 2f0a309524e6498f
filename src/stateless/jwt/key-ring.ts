import type { JsonWebKey } from 'node:crypto';
import { generateJwtKey, type JwtAlgorithm, type JwtKey, publicJwk } from './keys.js';

export interface RotationSchedule {
  /** Seconds each key signs before the next one takes over. @default 604800 (7 days) */
  interval?: number;
  /**
   * Seconds a new key is published in the JWKS before it signs, so services that cache the JWKS know it
   * before they meet a token signed with it. @default 86400 (1 day)
   */
  prePublish?: number;
  /** Algorithm of generated keys. @default the current key's */
  alg?: JwtAlgorithm;
}

/**
 * The access-token key ring: the key active at a time signs (the newest whose `activeFrom` has passed);
 * every key in the ring verifies. A key leaves the ring only after every token it signed has expired:
 * `retainFor` after its successor took over (token lifetime plus clock tolerance).
 */
export class JwtKeyRing {
  #keys: JwtKey[];
  readonly #retainMs: number;
  readonly #listeners = new Set<(keys: readonly JwtKey[]) => void>();

  /** `retainFor`: seconds a replaced key still verifies (at least the token lifetime + clock tolerance). */
  constructor(keys: readonly JwtKey[], retainFor = 905) {
    if (!Array.isArray(keys) || keys.length === 0) throw new TypeError('tessera: a JWT key ring needs a key');
    if (!(retainFor > 0)) throw new TypeError('tessera: retainFor must be positive');
    this.#retainMs = retainFor * 1000;
    this.#keys = [];
    for (const key of keys) this.add(key);
  }

  get keys(): readonly JwtKey[] {
    return this.#keys;
  }

  /** Called with the new key list whenever a key is added or pruned (to persist it). */
  onChange(listener: (keys: readonly JwtKey[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  add(key: JwtKey): void {
    if (this.#keys.some((existing) => existing.kid === key.kid)) {
      throw new TypeError(`tessera: duplicate JWT key id "${key.kid}"`);
    }
    this.#keys = [...this.#keys, key].sort((a, b) => a.activeFrom - b.activeFrom);
    this.#changed();
  }

  /** The key that signs at `at` (ms): the newest already active, or the oldest when none is active yet. */
  signingKey(at: number): JwtKey {
    let chosen = this.#keys[0] as JwtKey;
    for (const key of this.#keys) if (key.activeFrom <= at) chosen = key;
    return chosen;
  }

  find(kid: string): JwtKey | undefined {
    return this.#keys.find((key) => key.kid === kid);
  }

  /** Removes keys whose successor took over more than `retainFor` ago. Returns the removed key ids. */
  prune(now: number): string[] {
    const removed: string[] = [];
    const kept = this.#keys.filter((key, index) => {
      const successor = this.#keys[index + 1];
      const done = successor !== undefined && successor.activeFrom <= now - this.#retainMs;
      if (done) removed.push(key.kid);
      return !done;
    });
    if (removed.length > 0) {
      this.#keys = kept;
      this.#changed();
    }
    return removed;
  }

  /**
   * Scheduled rotation: when the current key has signed for `interval - prePublish` and no successor exists,
   * adds one that starts signing `prePublish` from now (published at once). Prunes retired keys. Returns the
   * added key or null.
   */
  rotateIfDue(now: number, schedule: RotationSchedule = {}): JwtKey | null {
    const interval = (schedule.interval ?? 604800) * 1000;
    const prePublish = (schedule.prePublish ?? 86400) * 1000;
    if (!(interval > 0) || !(prePublish >= 0) || prePublish >= interval) {
      throw new TypeError('tessera: rotation needs interval > prePublish >= 0');
    }
    this.prune(now);
    const current = this.signingKey(now);
    if (this.#keys.some((key) => key.activeFrom > now)) return null;
    if (now - current.activeFrom < interval - prePublish) return null;
    const next = generateJwtKey(
      schedule.alg ?? current.alg,
      Math.max(now + prePublish, current.activeFrom + interval),
    );
    this.add(next);
    return next;
  }

  /** The JWKS document (RFC 7517): public keys only, including the next key before it signs. */
  jwks(): { keys: JsonWebKey[] } {
    const keys: JsonWebKey[] = [];
    for (const key of this.#keys) {
      const jwk = publicJwk(key);
      if (jwk !== null) keys.push(jwk);
    }
    return { keys };
  }

  #changed(): void {
    for (const listener of this.#listeners) listener(this.#keys);
  }
}

/** Runs `rotateIfDue` on an unref'd timer. Returns the function that stops it. */
export function startKeyRotation(
  ring: JwtKeyRing,
  clock: () => number,
  schedule: RotationSchedule = {},
  checkEverySeconds = 3600,
): () => void {
  ring.rotateIfDue(clock(), schedule);
  const timer = setInterval(() => ring.rotateIfDue(clock(), schedule), checkEverySeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
