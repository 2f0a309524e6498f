import type { TesseraOptions } from './options.js';

type Preset = Readonly<
  Pick<TesseraOptions, 'idleTimeout' | 'absoluteTimeout' | 'renewalFraction' | 'binding'>
>;

/**
 * Named lifetime choices. Spread one into the options: `createTessera({ ...presets.strict, store })`.
 * Every preset keeps an absolute limit.
 */
export const presets: Readonly<Record<'standard' | 'strict' | 'rememberMe', Preset>> = Object.freeze({
  /** The defaults: 30 min idle (OWASP), 12 h absolute (ASVS V3.3.2). */
  standard: Object.freeze({ idleTimeout: 30 * 60, absoluteTimeout: 12 * 3600 }),
  /** High-value apps (ASVS L3 leaning): 15 min idle, 4 h absolute, user agent bound. */
  strict: Object.freeze({
    idleTimeout: 15 * 60,
    absoluteTimeout: 4 * 3600,
    binding: Object.freeze({ userAgent: true }),
  }),
  /** "Remember me": a week idle, 30 days absolute. */
  rememberMe: Object.freeze({
    idleTimeout: 7 * 24 * 3600,
    absoluteTimeout: 30 * 24 * 3600,
    renewalFraction: 0.02,
  }),
});
