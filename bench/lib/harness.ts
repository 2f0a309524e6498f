/**
 * A small micro-benchmark harness: untimed setup, a warm-up, several timed rounds of fixed length interleaved
 * across cases, and the median of the rounds (a median shrugs off the odd round a noisy neighbour spoiled).
 *
 * Use it from any bench file:
 *   const [validate, floor] = await measureAll([
 *     { name: 'validate', setup: async () => (i) => manager.validate(tokens[i % tokens.length]) },
 *     { name: 'floor', setup: () => (i) => check(headers[i % headers.length]) },
 *   ]);
 *   console.log(validate.opsPerSec, pairedRatio(validate, floor));
 * `setup` is untimed and returns the operation to time; an operation may return a promise (it is awaited).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type Operation = (iteration: number) => unknown;

export interface MeasureOptions {
  /** Warm-up before the first round (lets V8 optimise the code path). @default 1000 (BENCH_WARMUP_MS) */
  warmupMs?: number;
  /** Timed rounds; the median is reported. @default 9 (BENCH_ROUNDS) */
  rounds?: number;
  /** Length of each timed round. @default 300 (BENCH_ROUND_MS) */
  roundMs?: number;
}

export interface Measurement {
  readonly name: string;
  /** Median operations per second over the rounds. */
  readonly opsPerSec: number;
  /** Median microseconds per operation. */
  readonly usPerOp: number;
  /** Operations per second of every round, in the order they ran. */
  readonly rounds: number[];
  /** Fastest round in operations per second (the round least disturbed by other processes). */
  readonly best: number;
  /** Interquartile range of the rounds as a fraction of the median: how much the rounds disagreed. */
  readonly spread: number;
}

/** Reads a positive number from the environment, or the fallback. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return value;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Linear-interpolated quantile (q from 0 to 1). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
}

// A full collection between rounds, so no round pays for the garbage of the one before it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function collectGarbage(): void {
  gc();
}

/** Runs `operation` back to back (awaiting it when it returns a promise) for about `ms`; returns ops/s. */
async function timed(operation: Operation, ms: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    // Check the time every 16 calls: performance.now() is cheap but not free next to a 1 µs operation.
    for (let i = 0; i < 16; i += 1) {
      const result = operation(count);
      if (result instanceof Promise) await result;
      count += 1;
    }
    now = performance.now();
  }
  return (count * 1000) / (now - start);
}

/** One thing to measure. */
export interface BenchCase {
  readonly name: string;
  /** Untimed; returns the operation. Runs once, or before every round with `freshEachRound`. */
  setup(): Promise<Operation> | Operation;
  /** Call `setup` again before each round (for operations whose state grows, such as create). @default false */
  readonly freshEachRound?: boolean;
}

function summarize(name: string, rounds: number[]): Measurement {
  const opsPerSec = median(rounds);
  return {
    name,
    opsPerSec,
    usPerOp: 1e6 / opsPerSec,
    rounds,
    best: Math.max(...rounds),
    spread: (quantile(rounds, 0.75) - quantile(rounds, 0.25)) / opsPerSec,
  };
}

/**
 * Measures several operations with interleaved rounds: round r runs every case once (in an order that shifts
 * each round), so a burst of outside load hits all cases of a round alike, and `pairedRatio` cancels it.
 * `onResult` is called as each case finishes its last round (for progress output).
 */
export async function measureAll(
  cases: readonly BenchCase[],
  options: MeasureOptions = {},
  onResult: (measurement: Measurement) => void = () => {},
): Promise<Measurement[]> {
  const warmupMs = options.warmupMs ?? envNumber('BENCH_WARMUP_MS', 1000);
  const roundCount = options.rounds ?? envNumber('BENCH_ROUNDS', 9);
  const roundMs = options.roundMs ?? envNumber('BENCH_ROUND_MS', 300);
  const operations: Operation[] = [];
  for (const benchCase of cases) {
    const operation = await benchCase.setup();
    await timed(operation, warmupMs);
    operations.push(operation);
  }
  const rounds: number[][] = cases.map(() => []);
  for (let round = 0; round < roundCount; round += 1) {
    for (let step = 0; step < cases.length; step += 1) {
      const index = (step + round) % cases.length;
      const benchCase = cases[index] as BenchCase;
      if (benchCase.freshEachRound === true && round > 0) operations[index] = await benchCase.setup();
      collectGarbage();
      (rounds[index] as number[]).push(await timed(operations[index] as Operation, roundMs));
    }
  }
  return cases.map((benchCase, index) => {
    const measurement = summarize(benchCase.name, rounds[index] as number[]);
    onResult(measurement);
    return measurement;
  });
}

/** Measures one operation (see measureAll). */
export async function measure(
  name: string,
  setup: () => Promise<Operation> | Operation,
  options: MeasureOptions & { freshEachRound?: boolean } = {},
): Promise<Measurement> {
  const [measurement] = await measureAll(
    [{ name, setup, freshEachRound: options.freshEachRound ?? false }],
    options,
  );
  return measurement as Measurement;
}

/** Median over rounds of `a`'s rate divided by `b`'s in the same round (both from one measureAll call). */
export function pairedRatio(a: Measurement, b: Measurement): number {
  return median(a.rounds.map((rate, index) => rate / (b.rounds[index] ?? Number.NaN)));
}
