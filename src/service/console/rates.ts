import type { Clock } from '../../core/clock.js';
import type { TesseraEventType } from '../../core/events.js';
import type { Metrics } from '../metrics.js';

/** Event types the overview counts as security events (the alarms, not the ordinary lifecycle). */
export const SECURITY_EVENT_TYPES: ReadonlySet<TesseraEventType> = new Set<TesseraEventType>([
  'unknown-token',
  'binding-mismatch',
  'refresh-reuse',
  'csrf-rejected',
  'session-limit',
  'revoked-everyone',
]);

/** Counts since the service started, read from its prom-client registry. */
export interface ActivityTotals {
  /** `created` events. */
  readonly logins: number;
  /** Refused requests (4xx and 5xx with a stable code), every route. */
  readonly refusals: number;
  readonly securityEvents: number;
  /** `revoked` events (logouts, admin revocations, evictions). */
  readonly revocations: number;
  readonly requests: number;
}

/** The same four activities per minute, over `windowSeconds`; all null until a window exists. */
export interface ActivityRates {
  readonly windowSeconds: number | null;
  readonly logins: number | null;
  readonly refusals: number | null;
  readonly securityEvents: number | null;
  readonly revocations: number | null;
}

export interface ActivityReading {
  readonly totals: ActivityTotals;
  readonly refusalsByCode: Readonly<Record<string, number>>;
  readonly eventsByType: Readonly<Record<string, number>>;
}

/** Reads the counters the overview needs from the service's own registry (never the global one). */
export async function readActivity(metrics: Metrics): Promise<ActivityReading> {
  const eventsByType = await sumBy(metrics, 'tessera_events_total', 'type');
  const refusalsByCode = await sumBy(metrics, 'tessera_http_refusals_total', 'code');
  const requests = await sumBy(metrics, 'tessera_http_requests_total', 'method');
  let securityEvents = 0;
  for (const [type, count] of Object.entries(eventsByType)) {
    if (SECURITY_EVENT_TYPES.has(type as TesseraEventType)) securityEvents += count;
  }
  return {
    totals: {
      logins: eventsByType.created ?? 0,
      refusals: total(refusalsByCode),
      securityEvents,
      revocations: eventsByType.revoked ?? 0,
      requests: total(requests),
    },
    refusalsByCode,
    eventsByType,
  };
}

async function sumBy(metrics: Metrics, name: string, label: string): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric(name);
  const out: Record<string, number> = {};
  if (metric === undefined) return out;
  for (const { labels, value } of (await metric.get()).values) {
    const key = String(labels[label] ?? '');
    out[key] = (out[key] ?? 0) + value;
  }
  return out;
}

function total(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

interface Sample {
  readonly at: number;
  readonly totals: ActivityTotals;
}

const MINUTE = 60_000;
/** Samples closer together than this are not kept: a few consoles polling cannot grow the list. */
const SAMPLE_SPACING = 5_000;

/**
 * Per-minute rates from counter totals: each overview read leaves a sample (time, totals), and the rate is the
 * difference to the newest sample at least a minute old (or, in the first minute, the oldest one), scaled to a
 * minute. Counters only count up, so no scrape history is needed; the clock is the engine's (tests move it).
 * One sampler per service.
 */
export class RateSampler {
  readonly #clock: Clock;
  #samples: Sample[] = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Rates against the kept samples, then keeps this reading as a sample. */
  rates(totals: ActivityTotals): ActivityRates {
    const now = this.#clock();
    const last = this.#samples.at(-1);
    // A clock that moved back (a test, a stepped system clock) would give negative windows: start over.
    if (last !== undefined && last.at > now) this.#samples = [];
    let base: Sample | undefined;
    for (const sample of this.#samples) if (sample.at <= now - MINUTE) base = sample;
    base ??= this.#samples.find((sample) => sample.at < now);
    const current = { at: now, totals };
    const latest = this.#samples.at(-1);
    if (latest === undefined || now - latest.at >= SAMPLE_SPACING) this.#samples.push(current);
    // Older than the newest minute-old sample is never a baseline again.
    const keepFrom = this.#samples.findLastIndex((sample) => sample.at <= now - MINUTE);
    if (keepFrom > 0) this.#samples = this.#samples.slice(keepFrom);
    if (base === undefined) {
      return { windowSeconds: null, logins: null, refusals: null, securityEvents: null, revocations: null };
    }
    const elapsed = now - base.at;
    const perMinute = (key: keyof ActivityTotals): number =>
      Math.round(((totals[key] - base.totals[key]) * MINUTE * 100) / elapsed) / 100;
    return {
      windowSeconds: Math.round(elapsed / 100) / 10,
      logins: perMinute('logins'),
      refusals: perMinute('refusals'),
      securityEvents: perMinute('securityEvents'),
      revocations: perMinute('revocations'),
    };
  }
}

const samplers = new WeakMap<Metrics, RateSampler>();

/** The sampler of one service, keyed by its metrics (one registry per service). */
export function samplerFor(metrics: Metrics, clock: Clock): RateSampler {
  let sampler = samplers.get(metrics);
  if (sampler === undefined) {
    sampler = new RateSampler(clock);
    samplers.set(metrics, sampler);
  }
  return sampler;
}
