import type { TesseraOptions } from './options.js';

type Preset = Readonly<
  Pick<TesseraOptions, 'idleTimeout' | 'absoluteTimeout' | 'renewalFraction' | 'binding'>
>;

/** The preset names: three by use, three by the NIST SP 800-63B-4 assurance level whose limits they are. */
export type PresetName = 'standard' | 'strict' | 'rememberMe' | 'aal1' | 'aal2' | 'aal3';

const HOUR = 3600;
const DAY = 24 * HOUR;

const standard: Preset = Object.freeze({ idleTimeout: 30 * 60, absoluteTimeout: 12 * HOUR });
const strict: Preset = Object.freeze({
  idleTimeout: 15 * 60,
  absoluteTimeout: 4 * HOUR,
  binding: Object.freeze({ userAgent: true }),
});
const rememberMe: Preset = Object.freeze({
  idleTimeout: 7 * DAY,
  absoluteTimeout: 30 * DAY,
  renewalFraction: 0.02,
});

/**
 * Named lifetime choices. Spread one into the options: `createTessera({ ...presets.strict, store })`.
 * Every preset keeps an absolute limit. Each meets the reauthentication limits of a NIST SP 800-63B-4
 * authentication assurance level (ASVS 5.0 7.1.1): AAL1 at most 30 days overall, no inactivity limit; AAL2 at
 * most 24 h overall and 1 h of inactivity; AAL3 at most 12 h overall and 15 min of inactivity. A preset keeps
 * the session within those limits only: the level itself comes from the authenticators the app checks at login
 * and at `elevate`. Re-authentication (`elevate`) starts both windows again, as SP 800-63B-4 §5.2 says.
 * `test/core/presets.test.ts` fails when a preset no longer meets the level it claims.
 */
export const presets: Readonly<Record<PresetName, Preset>> = Object.freeze({
  /** The defaults, AAL2: 30 min idle (OWASP: 15-30 min for low-risk apps), 12 h absolute (ASVS 7.1.1). */
  standard,
  /** High-value apps, AAL3: 15 min idle, 4 h absolute, user agent bound. */
  strict,
  /** "Remember me", AAL1 only (at most 30 days overall, no inactivity requirement): a week idle, 30 days absolute. */
  rememberMe,
  /**
   * The AAL1 limits exactly: 30 days overall; AAL1 asks for no inactivity limit, so the idle window is the whole
   * 30 days (use `rememberMe` for a week of inactivity). Not the same object as `rememberMe`.
   */
  aal1: Object.freeze({ idleTimeout: 30 * DAY, absoluteTimeout: 30 * DAY, renewalFraction: 0.02 }),
  /** The AAL2 limits exactly: 1 h of inactivity, 24 h overall (`standard` is within them, and shorter). */
  aal2: Object.freeze({ idleTimeout: HOUR, absoluteTimeout: 24 * HOUR }),
  /** The AAL3 limits exactly: 15 min of inactivity, 12 h overall (`strict` is within them, and shorter). */
  aal3: Object.freeze({ idleTimeout: 15 * 60, absoluteTimeout: 12 * HOUR }),
});
