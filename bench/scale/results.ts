/**
 * The scale bench's figures: one `SizeResult` per store and size, one `StoreResult` per store, and the spread of
 * the validate figures from the smallest size to the largest (the goal: within 10%). Pure functions only.
 */
import { median } from '../lib/harness.js';
import type { SliceSummary } from '../lib/slices.js';
import type { ScaleStoreKind } from './config.js';
import type { Footprint, SweepRound } from './protocol.js';

export interface ValidateFigures extends SliceSummary {
  /** Slices measured. */
  readonly slices: number;
  /**
   * Median per-slice req/s over the smallest size's in the same turn of the interleaved slices (every size of a
   * store has its own worker, and they take turns), so drift of the shared machine cancels. 1 for the smallest.
   */
  readonly vsSmallest: number;
  /** The same paired ratio of p99 latency (above 1: slower than the smallest size). */
  readonly p99VsSmallest: number;
}

export interface SizeResult {
  readonly size: number;
  /** Live sessions when the footprint was taken (exactly the size: every operation removes what it makes). */
  readonly live: number;
  readonly fill: { readonly created: number; readonly ms: number; readonly perSecond: number };
  readonly footprint: Footprint;
  readonly bytesPerSession: number;
  /** The footprint's second figure per session (Redis: INFO used_memory delta), or null. */
  readonly checkBytesPerSession: number | null;
  readonly validate: ValidateFigures;
  readonly create: { readonly created: number; readonly ms: number; readonly perSecond: number };
  readonly revokeAllMs: Timing;
  readonly listMs: Timing;
  readonly sweep: readonly (SweepRound & { readonly usPerSession: number })[];
  /**
   * µs each further expired session adds: (time of the largest sweep - time of the smallest) / (difference in
   * sessions). Constant across sizes means the sweep costs what expired, not what the store holds. Null with one count.
   */
  readonly sweepMarginalUs: number | null;
  /** One `sweepExpired` call when nothing is due (median over the sweep calls). */
  readonly idleSweepMs: number;
}

export interface Timing {
  readonly median: number;
  readonly max: number;
  readonly repeats: number;
}

export interface StoreResult {
  readonly kind: ScaleStoreKind;
  readonly label: string;
  readonly sizes: readonly SizeResult[];
  /** Sizes not run for this store (10^7 on the in-RAM stores). */
  readonly skippedSizes: readonly number[];
  /** Why the store was not measured at all (no server), or null. */
  readonly skipped: string | null;
  /** What went wrong part-way, or null. */
  readonly error: string | null;
}

/** How one figure moves over the sizes, relative to the smallest size. */
export interface Drift {
  /** Largest size over smallest, minus 1 (+0.05: 5% higher at the largest size). */
  readonly change: number;
  /** The largest |size_i / smallest - 1| over every size. */
  readonly worst: number;
}

export interface Spread {
  readonly from: number;
  readonly to: number;
  /** Paired req/s ratio to the smallest size (ValidateFigures.vsSmallest), as a drift from 1. */
  readonly throughput: Drift;
  /** Paired p99 ratio to the smallest size, as a drift from 1. */
  readonly p99: Drift;
  /** The plain medians of req/s, for reference (not paired: machine drift between slices stays in). */
  readonly rawThroughput: Drift;
  readonly cpuPerRequest: Drift;
  /** Paired req/s and p99 both within the goal at every size. */
  readonly met: boolean;
}

/** The goal of issue 13: validate p99 and throughput within 10% from the smallest to the largest size. */
export const SPREAD_GOAL = 0.1;

export function timing(ms: readonly number[]): Timing {
  return { median: median(ms), max: Math.max(...ms), repeats: ms.length };
}

export function drift(values: readonly number[]): Drift {
  const first = values[0] ?? Number.NaN;
  const last = values[values.length - 1] ?? Number.NaN;
  const worst = Math.max(...values.map((value) => Math.abs(value / first - 1)));
  return { change: last / first - 1, worst };
}

/** A drift of ratios that are already relative to the smallest size (1 there). */
function ratioDrift(ratios: readonly number[]): Drift {
  return drift([1, ...ratios.slice(1)]);
}

/** The spread of a store's validate figures, or null with fewer than two sizes. */
export function spreadOf(sizes: readonly SizeResult[]): Spread | null {
  if (sizes.length < 2) return null;
  const pick = (get: (size: SizeResult) => number): Drift => drift(sizes.map(get));
  const throughput = ratioDrift(sizes.map((size) => size.validate.vsSmallest));
  const p99 = ratioDrift(sizes.map((size) => size.validate.p99VsSmallest));
  return {
    from: sizes[0]?.size ?? 0,
    to: sizes[sizes.length - 1]?.size ?? 0,
    throughput,
    p99,
    rawThroughput: pick((size) => size.validate.requestsPerSec),
    cpuPerRequest: pick((size) => size.validate.cpuPerRequest),
    met: throughput.worst <= SPREAD_GOAL && p99.worst <= SPREAD_GOAL,
  };
}

/** µs per further expired session between the smallest and the largest sweep, or null with one count. */
export function sweepMarginal(rounds: readonly SweepRound[]): number | null {
  if (rounds.length < 2) return null;
  const sorted = [...rounds].sort((a, b) => a.expired - b.expired);
  const small = sorted[0] as SweepRound;
  const large = sorted[sorted.length - 1] as SweepRound;
  if (large.expired === small.expired) return null;
  return ((large.ms - small.ms) * 1000) / (large.expired - small.expired);
}

/** `10⁴` for a power of ten, else the number with separators. */
export function sizeLabel(size: number): string {
  const exponent = Math.log10(size);
  if (Number.isInteger(exponent)) {
    const superscripts = '⁰¹²³⁴⁵⁶⁷⁸⁹';
    return `10${[...String(exponent)].map((digit) => superscripts[Number(digit)]).join('')}`;
  }
  return size.toLocaleString('en-US');
}

/** +4.2% / -3.0% */
export function signedPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return 'n/a';
  const text = `${(fraction * 100).toFixed(1)}%`;
  return fraction >= 0 ? `+${text}` : text;
}
