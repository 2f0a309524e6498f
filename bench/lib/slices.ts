/**
 * Interleaved HTTP load for the store benches (redis, postgres): every target gets `seconds` of load per round
 * in slices of `sliceSeconds`, the targets taking turns in an order that shifts every slice, so outside load on
 * a shared machine lands on all of them alike. Around every slice each server is asked for its CPU time, so a
 * slice also gives the server CPU spent per request. Ratios are medians of per-slice ratios.
 * Example:
 *   const slices = await runSlices(targets, settingsFromEnv(), problems);
 *   pairedRatio(slices, 'tessera-redis', 'redis-floor');
 */
import { envNumber, median } from './harness.js';
import { type LoadResult, load, type RunningServer } from './http-target.js';
import { formatRate } from './table.js';

export interface SliceTarget {
  readonly name: string;
  readonly server: RunningServer;
  /** One session cookie, or several that each connection cycles through (see `load`). */
  readonly cookie: string | readonly string[];
}

export interface Slice {
  requestsPerSec: number;
  /** Microseconds. */
  p50: number;
  /** Microseconds. */
  p99: number;
  total: number;
  /** Server CPU time (user + system) per request, µs. */
  cpuPerRequest: number;
  failures: number;
}

export interface SliceSettings {
  seconds: number;
  sliceSeconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
}

/** BENCH_SECONDS (5), BENCH_SLICE_SECONDS (1), BENCH_WARMUP_SECONDS (1), BENCH_CONNECTIONS (10), BENCH_HTTP_ROUNDS (3). */
export function settingsFromEnv(): SliceSettings {
  const seconds = envNumber('BENCH_SECONDS', 5);
  return {
    seconds,
    sliceSeconds: Math.min(seconds, envNumber('BENCH_SLICE_SECONDS', 1)),
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 1),
    connections: envNumber('BENCH_CONNECTIONS', 10),
    rounds: envNumber('BENCH_HTTP_ROUNDS', 3),
  };
}

function failuresOf({ result }: LoadResult): number {
  return result.non2xx + result.errors + result.timeouts;
}

/**
 * Warms every target up, then runs the interleaved slices. Any non-2xx, error or timeout is added to
 * `problems` (the caller makes the run invalid).
 */
export async function runSlices(
  targets: readonly SliceTarget[],
  settings: SliceSettings,
  problems: string[],
): Promise<Map<string, Slice[]>> {
  const slices = new Map<string, Slice[]>(targets.map((target) => [target.name, []]));
  for (const target of targets) {
    const warm = await load(target.server.port, target.cookie, {
      connections: settings.connections,
      seconds: settings.warmupSeconds,
    });
    if (failuresOf(warm) > 0) problems.push(`${target.name} warm-up: ${failuresOf(warm)} failed requests`);
  }
  const perRound = Math.max(1, Math.round(settings.seconds / settings.sliceSeconds));
  for (let round = 0; round < settings.rounds; round += 1) {
    for (let slice = 0; slice < perRound; slice += 1) {
      const shift = round * perRound + slice;
      for (let step = 0; step < targets.length; step += 1) {
        const target = targets[(step + shift) % targets.length] as SliceTarget;
        const cpuBefore = await target.server.cpuMicros();
        const measured = await load(target.server.port, target.cookie, {
          connections: settings.connections,
          seconds: settings.sliceSeconds,
        });
        const cpu = (await target.server.cpuMicros()) - cpuBefore;
        const total = measured.result.requests.total;
        const failures = failuresOf(measured);
        if (failures > 0) problems.push(`${target.name} round ${round + 1}: ${failures} failed requests`);
        slices.get(target.name)?.push({
          requestsPerSec: total / measured.result.duration,
          p50: measured.latencyUs.p50,
          p99: measured.latencyUs.p99,
          total,
          cpuPerRequest: cpu / Math.max(1, total),
          failures,
        });
      }
    }
    const line = targets
      .map((target) => {
        const recent = (slices.get(target.name) ?? []).slice(-perRound);
        return `${target.name} ${formatRate(median(recent.map((part) => part.requestsPerSec)))}`;
      })
      .join('  ');
    console.log(`  round ${round + 1}/${settings.rounds} req/s: ${line}`);
  }
  return slices;
}

/** Median over slices of `name`'s req/s over `base`'s in the same slice (they ran back to back). */
export function pairedRatio(slices: Map<string, Slice[]>, name: string, base: string): number {
  const theirs = slices.get(base) ?? [];
  return median(
    (slices.get(name) ?? []).map(
      (part, index) => part.requestsPerSec / (theirs[index]?.requestsPerSec ?? Number.NaN),
    ),
  );
}

/**
 * Median over slices of `base`'s server CPU per request over `name`'s: the throughput ratio the two would show
 * if each server had a core to itself and the load generator were infinitely fast (higher is cheaper).
 */
export function pairedCpuRatio(slices: Map<string, Slice[]>, name: string, base: string): number {
  const theirs = slices.get(base) ?? [];
  return median(
    (slices.get(name) ?? []).map(
      (part, index) => (theirs[index]?.cpuPerRequest ?? Number.NaN) / part.cpuPerRequest,
    ),
  );
}

export interface SliceSummary {
  requestsPerSec: number;
  p50: number;
  p99: number;
  cpuPerRequest: number;
  requests: number;
}

export function summarize(list: readonly Slice[]): SliceSummary {
  return {
    requestsPerSec: median(list.map((part) => part.requestsPerSec)),
    p50: median(list.map((part) => part.p50)),
    p99: median(list.map((part) => part.p99)),
    cpuPerRequest: median(list.map((part) => part.cpuPerRequest)),
    requests: list.reduce((sum, part) => sum + part.total, 0),
  };
}

/** One goal line, as every HTTP bench prints it: `target <what>: 93.1% (goal >= 90.0%) met [by server CPU …]`. */
export function goalLine(
  what: string,
  value: number,
  byCpu: number,
  goal: number,
  format: (value: number) => string,
): string {
  return (
    `target ${what}: ${format(value)} (goal >= ${format(goal)}) ${value >= goal ? 'met' : 'MISSED'}` +
    ` [by server CPU per request: ${format(byCpu)} ${byCpu >= goal ? 'met' : 'MISSED'}]`
  );
}

/**
 * The targets named in BENCH_TARGETS (comma-separated; all when unset), for a quick run or a profile of a few:
 * `BENCH_TARGETS=redis-floor,tessera-redis BENCH_PROFILE=all npm run bench -- redis`. Ratios to a target left
 * out read n/a.
 */
export function selectTargets<T extends { readonly name: string }>(specs: readonly T[]): T[] {
  const wanted = (process.env.BENCH_TARGETS ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (wanted.length === 0) return [...specs];
  const unknown = wanted.filter((name) => !specs.some((spec) => spec.name === name));
  if (unknown.length > 0) throw new TypeError(`BENCH_TARGETS: unknown target(s) ${unknown.join(', ')}`);
  return specs.filter((spec) => wanted.includes(spec.name));
}
