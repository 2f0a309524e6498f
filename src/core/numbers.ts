/** Option validators shared by every mode's options (`TypeError` with the option's name on a bad value). */

/** A number of seconds (or another positive quantity); `allowZero` admits 0. */
export function positiveNumber(
  name: string,
  value: unknown,
  fallback: number,
  { allowZero = false } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`tessera: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  }
  return value;
}

/** A count (bytes, milliseconds): a safe integer, 0 or more. */
export function nonNegativeInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`tessera: ${name} must be a non-negative integer`);
  }
  return value;
}

/** An integer from `min` to `max`. */
export function integerInRange(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`tessera: ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** The idle and absolute timeouts and the renewal fraction, as every session mode takes them. */
export interface LifetimeOptions {
  idleTimeout?: number;
  absoluteTimeout?: number;
  renewalFraction?: number;
}

/** The lifetime in milliseconds: idle ≤ absolute, a renewal after `renewalFraction` of the idle window. */
export interface ResolvedLifetime {
  readonly idleMs: number;
  readonly absoluteMs: number;
  readonly renewAfterMs: number;
}

/** Validates a mode's lifetime options (defaults 30 min idle, 12 h absolute, renewal at a tenth). */
export function resolveLifetime(options: LifetimeOptions): ResolvedLifetime {
  const idle = positiveNumber('idleTimeout', options.idleTimeout, 1800);
  const absolute = positiveNumber('absoluteTimeout', options.absoluteTimeout, 43200);
  if (idle > absolute) throw new TypeError('tessera: idleTimeout must not exceed absoluteTimeout');
  const fraction = positiveNumber('renewalFraction', options.renewalFraction, 0.1);
  if (fraction >= 1) throw new TypeError('tessera: renewalFraction must be below 1');
  return { idleMs: idle * 1000, absoluteMs: absolute * 1000, renewAfterMs: idle * 1000 * fraction };
}
