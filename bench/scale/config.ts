/**
 * The scale bench's knobs, read once from the environment (docs/bench.md, "Scale"). Every number is checked;
 * a bad value is a `TypeError` naming the variable, before anything is filled.
 */
import { envNumber } from '../lib/harness.js';

export type ScaleStoreKind = 'memory' | 'sqlite' | 'postgres' | 'redis';

/** Every store the bench knows, in the order it runs them. */
export const STORE_KINDS: readonly ScaleStoreKind[] = ['memory', 'sqlite', 'postgres', 'redis'];

/** Sizes above this are for the on-disk stores only (SQLite, PostgreSQL): 10^7 sessions of heap or Redis RAM is not a deployment. */
export const LARGEST_IN_RAM = 1_000_000;

const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];

export interface ScaleSettings {
  /** Live-session counts to fill to, ascending (SCALE_SIZES). */
  readonly sizes: readonly number[];
  /** Stores to measure (SCALE_STORES; default all four). */
  readonly stores: readonly ScaleStoreKind[];
  /** Whether SCALE_STORES narrowed the set (a partial run does not rewrite docs/bench.md on its own). */
  readonly storesNarrowed: boolean;
  /** Measured seconds of validate load per size, in slices the sizes take turns on (SCALE_SECONDS). */
  readonly seconds: number;
  /** Length of one turn of the interleaved load (SCALE_SLICE_SECONDS). */
  readonly sliceSeconds: number;
  /** Load before measuring, per size (SCALE_WARMUP_SECONDS). */
  readonly warmupSeconds: number;
  /** autocannon connections (BENCH_CONNECTIONS, as the other HTTP benches). */
  readonly connections: number;
  /** Sessions the validate load spreads over: a uniform sample of the filled ones (SCALE_TOKENS). */
  readonly tokens: number;
  /** Outstanding creates while filling (SCALE_FILL_CONCURRENCY). */
  readonly fillConcurrency: number;
  /** Turns the sizes take for create, list and revoke-all, so outside load lands on all alike (SCALE_OP_ROUNDS). */
  readonly opRounds: number;
  /** Seconds of the create-throughput loop, over all turns (SCALE_CREATE_SECONDS). */
  readonly createSeconds: number;
  /** Most creates in that loop, over all turns (SCALE_CREATE_MAX; they are revoked after, untimed). */
  readonly createMost: number;
  /** Outstanding creates in that loop (SCALE_CREATE_CONCURRENCY). */
  readonly createConcurrency: number;
  /** Sessions of the subject that revoke-all and list act on. */
  readonly perSubject: number;
  /** Timed revoke-alls per size, each on a fresh subject, one per turn (SCALE_REVOKE_REPEATS). */
  readonly revokeRepeats: number;
  /** Timed lists per size, spread over the turns (SCALE_LIST_REPEATS). */
  readonly listRepeats: number;
  /** How many sessions to expire and sweep, one sweep per count (SCALE_SWEEP, comma-separated). */
  readonly sweepCounts: readonly number[];
  /** Rewrite the "Scale" section of docs/bench.md and docs/bench-scale.svg (SCALE_DOCS: 1, 0, or unset = only after a full run). */
  readonly docs: 'always' | 'never' | 'full-run';
  readonly postgresUrl: string;
  readonly redisUrl: string;
}

/** `1e4,1e5` or `10000,100000` → [10000, 100000]: integers of at least 100, ascending, no repeats. */
export function parseSizes(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_SIZES];
  return parseCounts('SCALE_SIZES', raw, 100);
}

function parseCounts(name: string, raw: string, least: number): number[] {
  const values = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  if (values.length === 0 || values.some((value) => !Number.isInteger(value) || value < least)) {
    throw new TypeError(`${name} must be a comma-separated list of integers >= ${least} (e.g. 1e4,1e5)`);
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

function parseStores(raw: string | undefined): ScaleStoreKind[] {
  if (raw === undefined || raw.trim() === '') return [...STORE_KINDS];
  const wanted = raw.split(',').map((part) => part.trim());
  const unknown = wanted.filter((name) => !STORE_KINDS.includes(name as ScaleStoreKind));
  if (unknown.length > 0) {
    throw new TypeError(`SCALE_STORES: unknown store(s) ${unknown.join(', ')} (${STORE_KINDS.join(', ')})`);
  }
  return STORE_KINDS.filter((kind) => wanted.includes(kind));
}

function parseDocs(raw: string | undefined): ScaleSettings['docs'] {
  if (raw === undefined || raw === '') return 'full-run';
  if (raw === '1') return 'always';
  if (raw === '0') return 'never';
  throw new TypeError('SCALE_DOCS must be 1 (always rewrite the docs section), 0 (never) or unset');
}

/** The sizes one store runs: the in-RAM stores stop at 10^6. */
export function sizesFor(kind: ScaleStoreKind, sizes: readonly number[]): number[] {
  const onDisk = kind === 'sqlite' || kind === 'postgres';
  return sizes.filter((size) => onDisk || size <= LARGEST_IN_RAM);
}

export function scaleSettings(): ScaleSettings {
  const env = process.env;
  const seconds = envNumber('SCALE_SECONDS', 10);
  return {
    sizes: parseSizes(env.SCALE_SIZES),
    stores: parseStores(env.SCALE_STORES),
    storesNarrowed: (env.SCALE_STORES ?? '').trim() !== '',
    seconds,
    sliceSeconds: Math.min(seconds, envNumber('SCALE_SLICE_SECONDS', 1)),
    warmupSeconds: envNumber('SCALE_WARMUP_SECONDS', 2),
    connections: envNumber('BENCH_CONNECTIONS', 10),
    tokens: Math.round(envNumber('SCALE_TOKENS', 10_000)),
    fillConcurrency: Math.round(envNumber('SCALE_FILL_CONCURRENCY', 64)),
    opRounds: Math.max(1, Math.round(envNumber('SCALE_OP_ROUNDS', 4))),
    createSeconds: envNumber('SCALE_CREATE_SECONDS', 2),
    createMost: Math.round(envNumber('SCALE_CREATE_MAX', 20_000)),
    createConcurrency: Math.round(envNumber('SCALE_CREATE_CONCURRENCY', 32)),
    perSubject: 100,
    revokeRepeats: Math.round(envNumber('SCALE_REVOKE_REPEATS', 5)),
    listRepeats: Math.round(envNumber('SCALE_LIST_REPEATS', 20)),
    sweepCounts: parseCounts('SCALE_SWEEP', env.SCALE_SWEEP ?? '100,1000', 1),
    docs: parseDocs(env.SCALE_DOCS),
    postgresUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}
