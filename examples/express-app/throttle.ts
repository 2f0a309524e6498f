/**
 * Counts failed password attempts per key and refuses more than `limit` in `windowMs` (OWASP Authentication
 * Cheat Sheet: protect against automated attacks). In memory and per process: enough for one example
 * process; a cluster would keep the counters in its shared store.
 */
const MAX_KEYS = 100_000;

export class Throttle {
  readonly #attempts = new Map<string, { failures: number; since: number }>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: () => number;

  constructor(options: { limit: number; windowMs: number; clock: () => number }) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#clock = options.clock;
  }

  /** Seconds to wait before trying again, or 0 when an attempt is allowed now. */
  retryAfter(key: string): number {
    const entry = this.#attempts.get(key);
    if (entry === undefined) return 0;
    const left = entry.since + this.#windowMs - this.#clock();
    if (left <= 0) {
      this.#attempts.delete(key);
      return 0;
    }
    return entry.failures >= this.#limit ? Math.ceil(left / 1000) : 0;
  }

  fail(key: string): void {
    const now = this.#clock();
    const entry = this.#attempts.get(key);
    if (entry === undefined || entry.since + this.#windowMs <= now) {
      if (this.#attempts.size >= MAX_KEYS) this.#prune(now);
      this.#attempts.set(key, { failures: 1, since: now });
    } else {
      entry.failures += 1;
    }
  }

  succeed(key: string): void {
    this.#attempts.delete(key);
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#attempts) {
      if (entry.since + this.#windowMs <= now) this.#attempts.delete(key);
    }
    // Still full of live entries: drop the oldest (Map keeps insertion order), so memory stays bounded.
    for (const key of this.#attempts.keys()) {
      if (this.#attempts.size < MAX_KEYS) break;
      this.#attempts.delete(key);
    }
  }
}
