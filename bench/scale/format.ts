/**
 * The cells of the scale bench's tables, shared by the console (print.ts) and docs/bench.md (markdown.ts), so
 * both say the same thing.
 */
import { formatMicros, formatPercent, formatRate } from '../lib/table.js';
import {
  type SizeResult,
  type Spread,
  type StoreResult,
  signedPercent,
  sizeLabel,
  SPREAD_GOAL,
} from './results.js';

export const SIZE_HEADERS = [
  'size',
  'live',
  'fill/s',
  'B/session',
  'check B/session',
  'validate req/s',
  'p50 ms',
  'p99 ms',
  'req/s / p99 vs smallest',
  'CPU µs/req',
  'create/s',
  'revoke-all 100 ms',
  'list 100 ms',
  'sweep µs/expired',
  'sweep µs/extra expired',
  'idle sweep ms',
] as const;

function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < 1 ? value.toFixed(3) : value < 10 ? value.toFixed(2) : value.toFixed(1);
}

export function sizeCells(size: SizeResult): string[] {
  return [
    sizeLabel(size.size),
    formatRate(size.live),
    size.fill.created === 0 ? '-' : formatRate(size.fill.perSecond),
    formatRate(size.bytesPerSession),
    size.checkBytesPerSession === null ? '-' : formatRate(size.checkBytesPerSession),
    formatRate(size.validate.requestsPerSec),
    (size.validate.p50 / 1000).toFixed(3),
    (size.validate.p99 / 1000).toFixed(3),
    `${formatPercent(size.validate.vsSmallest)} / ${formatPercent(size.validate.p99VsSmallest)}`,
    size.validate.cpuPerRequest.toFixed(1),
    formatRate(size.create.perSecond),
    ms(size.revokeAllMs.median),
    ms(size.listMs.median),
    size.sweep
      .map((round) => `${formatMicros(round.usPerSession)} (${formatRate(round.expired)})`)
      .join(', '),
    size.sweepMarginalUs === null ? '-' : formatMicros(size.sweepMarginalUs),
    ms(size.idleSweepMs),
  ];
}

export const SPREAD_HEADERS = [
  'store',
  'sizes',
  'validate req/s (paired)',
  'validate p99 (paired)',
  'req/s (unpaired medians)',
  'CPU µs/req',
  `goal: req/s and p99 within ${formatPercent(SPREAD_GOAL)}`,
] as const;

/** `+3.1% (worst 4.0%)`: smallest to largest, and the largest distance from the smallest at any size. */
function driftCell(drift: { change: number; worst: number }): string {
  return `${signedPercent(drift.change)} (worst ${formatPercent(drift.worst)})`;
}

export function spreadCells(store: StoreResult, spread: Spread | null): string[] {
  if (spread === null) return [store.label, 'one size', '-', '-', '-', '-', 'n/a'];
  return [
    store.label,
    `${sizeLabel(spread.from)} → ${sizeLabel(spread.to)}`,
    driftCell(spread.throughput),
    driftCell(spread.p99),
    driftCell(spread.rawThroughput),
    driftCell(spread.cpuPerRequest),
    spread.met ? 'met' : 'MISSED',
  ];
}

/** The peers' bytes per session with the same 188-byte payload, as issue 13 gives them (not measured here). */
const PEERS: Readonly<Partial<Record<StoreResult['kind'], string>>> = {
  memory: '558 (express-session MemoryStore)',
  redis: '408 (connect-redis)',
};

/** Columns of the bytes-per-session overview: store, then one per size, then the peer to compare with. */
export function bytesHeaders(sizes: readonly number[]): string[] {
  return ['B/session', ...sizes.map(sizeLabel), 'peer, B/session'];
}

export function bytesCells(store: StoreResult, sizes: readonly number[]): string[] {
  return [
    store.label,
    ...sizes.map((size) => {
      const found = store.sizes.find((entry) => entry.size === size);
      return found === undefined ? '-' : formatRate(found.bytesPerSession);
    }),
    PEERS[store.kind] ?? '-',
  ];
}
