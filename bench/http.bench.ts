/**
 * HTTP throughput of a node:http server that validates a Tessera session cookie on every request, measured in
 * the same run as (0) a bare node:http "hello", (a) the floor (HMAC-signed random id checked against a Map) and
 * (b) Express 5 + express-session with its MemoryStore. Each server runs in its own process; autocannon drives
 * load from this one with fixed connections. Every request carries a valid session cookie; any non-2xx
 * response, socket error or timeout makes the run invalid (exit code 1).
 *
 * After a warm-up, each round gives every target BENCH_SECONDS of load in short slices, the targets taking
 * turns, so outside load on a shared machine lands on all of them alike; figures are medians over slices and
 * ratios are medians of per-slice ratios. See docs/bench.md.
 * Knobs: BENCH_SECONDS (5), BENCH_SLICE_SECONDS (1), BENCH_WARMUP_SECONDS (1), BENCH_CONNECTIONS (10),
 * BENCH_HTTP_ROUNDS (3),
 * BENCH_PROFILE=<target>[,…] (CPU profile of those servers under bench-results/profiles).
 */
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { envNumber, median } from './lib/harness.js';
import {
  type LoadResult,
  load,
  login,
  type RunningServer,
  sanityCheck,
  startServer,
} from './lib/http-target.js';
import { writeResults } from './lib/results.js';
import { sqliteAvailable } from './lib/stores.js';
import { formatPercent, formatRate, formatRatio, printTable } from './lib/table.js';

interface Target {
  readonly name: string;
  readonly label: string;
  readonly file: string;
  readonly args: string[];
  /** Whether GET / without a cookie must be refused (every target but the bare server checks sessions). */
  readonly checksSessions: boolean;
}

interface Round {
  requestsPerSec: number;
  /** Microseconds. */
  p50: number;
  /** Microseconds. */
  p99: number;
  total: number;
  /** Server CPU time (user + system) per request, µs; 0 until measured. */
  cpuPerRequest: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const seconds = envNumber('BENCH_SECONDS', 5);
const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 1);
const connections = envNumber('BENCH_CONNECTIONS', 10);
const roundCount = envNumber('BENCH_HTTP_ROUNDS', 3);
const sliceSeconds = Math.min(seconds, envNumber('BENCH_SLICE_SECONDS', 1));

const targets: Target[] = [
  { name: 'bare', label: '(0) bare node:http', file: 'bare.ts', args: [], checksSessions: false },
  { name: 'floor', label: '(a) floor: HMAC id + Map', file: 'floor.ts', args: [], checksSessions: true },
  {
    name: 'express-session',
    label: '(b) express 5 + express-session',
    file: 'express-session.ts',
    args: [],
    checksSessions: true,
  },
  {
    name: 'tessera-memory',
    label: '(c) tessera node:http, memory',
    file: 'tessera.ts',
    args: ['memory'],
    checksSessions: true,
  },
];
// Decided once: the SQLite store may land in the tree while a bench is running.
const withSqlite = sqliteAvailable();
if (withSqlite) {
  targets.push({
    name: 'tessera-sqlite',
    label: '(d) tessera node:http, sqlite',
    file: 'tessera.ts',
    args: ['sqlite'],
    checksSessions: true,
  });
} else {
  console.log('http: SqliteStore not in this tree (src/stores/sqlite/index.ts): target (d) skipped');
}
// BENCH_BASELINE=<another checkout> (with its node_modules) adds Tessera as it is there, so a change to the hot
// path is measured against its parent in one run: `git worktree add ../base HEAD~1`, then
// BENCH_BASELINE=../base npm run bench -- http.
const baseline = process.env.BENCH_BASELINE;
if (baseline !== undefined && baseline !== '') {
  targets.push({
    name: 'baseline-memory',
    label: '(e) tessera at BENCH_BASELINE, memory',
    file: pathToFileURL(join(resolve(baseline), 'bench/servers/tessera.ts')).href,
    args: ['memory'],
    checksSessions: true,
  });
}

/** Microseconds to milliseconds with three decimals. */
function formatMs(us: number): string {
  return (us / 1000).toFixed(3);
}

function roundOf({ result, latencyUs }: LoadResult): Round {
  return {
    requestsPerSec: result.requests.total / result.duration,
    p50: latencyUs.p50,
    p99: latencyUs.p99,
    total: result.requests.total,
    cpuPerRequest: 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

console.log(
  `http: ${targets.length} targets, ${connections} connections; ${warmupSeconds} s warm-up, then ${roundCount} ` +
    `rounds of ${seconds} s per target in interleaved ${sliceSeconds} s slices`,
);

const servers = new Map<string, RunningServer>();
const cookies = new Map<string, string>();
const slices = new Map<string, Round[]>(targets.map((target) => [target.name, []]));
const problems: string[] = [];
try {
  for (const target of targets) {
    const server = await startServer(
      target.name,
      new URL(target.file.startsWith('file:') ? target.file : `servers/${target.file}`, import.meta.url),
      target.args,
    );
    servers.set(target.name, server);
    const cookie = await login(server.port);
    const check = await sanityCheck(server.port, cookie);
    if (check.withCookie !== 200)
      problems.push(`${target.name}: GET / with the session cookie gave ${check.withCookie}`);
    if (target.checksSessions && check.withoutCookie !== 401) {
      problems.push(`${target.name}: GET / without a cookie gave ${check.withoutCookie}, not 401`);
    }
    cookies.set(target.name, cookie);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));

  const check = (target: Target, label: string, part: Round): void => {
    if (part.non2xx + part.errors + part.timeouts > 0) {
      problems.push(
        `${target.name} ${label}: ${part.non2xx} non-2xx, ${part.errors} errors, ${part.timeouts} timeouts`,
      );
    }
  };
  for (const target of targets) {
    const server = servers.get(target.name) as RunningServer;
    const warm = await load(server.port, cookies.get(target.name) as string, {
      connections,
      seconds: warmupSeconds,
    });
    check(target, 'warm-up', roundOf(warm));
  }
  // Each round gives every target `seconds` of load in slices of `sliceSeconds`, the targets taking turns
  // (in an order that shifts every slice), so a burst of outside load lands on all of them about equally.
  const slicesPerRound = Math.max(1, Math.round(seconds / sliceSeconds));
  for (let round = 0; round < roundCount; round += 1) {
    for (let slice = 0; slice < slicesPerRound; slice += 1) {
      const shift = round * slicesPerRound + slice;
      for (let step = 0; step < targets.length; step += 1) {
        const target = targets[(step + shift) % targets.length] as Target;
        const server = servers.get(target.name) as RunningServer;
        const cpuBefore = await server.cpuMicros();
        const measured = roundOf(
          await load(server.port, cookies.get(target.name) as string, { connections, seconds: sliceSeconds }),
        );
        measured.cpuPerRequest = ((await server.cpuMicros()) - cpuBefore) / Math.max(1, measured.total);
        check(target, `round ${round + 1} slice ${slice + 1}`, measured);
        slices.get(target.name)?.push(measured);
      }
    }
    const line = targets
      .map((target) => {
        const recent = (slices.get(target.name) ?? []).slice(-slicesPerRound);
        return `${target.name} ${formatRate(median(recent.map((part) => part.requestsPerSec)))}`;
      })
      .join('  ');
    console.log(`  round ${round + 1}/${roundCount} req/s: ${line}`);
  }
} finally {
  await Promise.all([...servers.values()].map((server) => server.stop()));
}

interface Summary {
  name: string;
  label: string;
  requestsPerSec: number;
  p50: number;
  p99: number;
  /** Median of per-slice throughput ratios to the floor. */
  vsFloor: number;
  /** Median of per-slice throughput ratios to express-session. */
  vsExpressSession: number;
  /** Median server CPU time per request, µs. */
  cpuPerRequest: number;
  /** Median per-slice ratio of the floor's CPU per request to this target's (higher is cheaper). */
  cpuVsFloor: number;
  /** Median per-slice ratio of express-session's CPU per request to this target's. */
  cpuVsExpressSession: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  slices: number[];
}

/**
 * Median over slices of this target's rate divided by another target's in the same slice (they ran back to
 * back, so drift on the machine mostly cancels).
 */
function pairedRatio(name: string, base: string): number {
  const mine = slices.get(name) ?? [];
  const theirs = slices.get(base) ?? [];
  return median(
    mine.map((part, index) => part.requestsPerSec / (theirs[index]?.requestsPerSec ?? Number.NaN)),
  );
}

/**
 * Median over slices of `base`'s server CPU per request divided by this target's: the throughput ratio the
 * two would have if each server had a core to itself and the load generator were infinitely fast.
 */
function pairedCpuRatio(name: string, base: string): number {
  const mine = slices.get(name) ?? [];
  const theirs = slices.get(base) ?? [];
  return median(mine.map((part, index) => (theirs[index]?.cpuPerRequest ?? Number.NaN) / part.cpuPerRequest));
}

const summaries: Summary[] = targets.map((target) => {
  const list = slices.get(target.name) ?? [];
  return {
    name: target.name,
    label: target.label,
    requestsPerSec: median(list.map((part) => part.requestsPerSec)),
    p50: median(list.map((part) => part.p50)),
    p99: median(list.map((part) => part.p99)),
    vsFloor: pairedRatio(target.name, 'floor'),
    vsExpressSession: pairedRatio(target.name, 'express-session'),
    cpuPerRequest: median(list.map((part) => part.cpuPerRequest)),
    cpuVsFloor: pairedCpuRatio(target.name, 'floor'),
    cpuVsExpressSession: pairedCpuRatio(target.name, 'express-session'),
    requests: list.reduce((sum, part) => sum + part.total, 0),
    non2xx: list.reduce((sum, part) => sum + part.non2xx, 0),
    errors: list.reduce((sum, part) => sum + part.errors, 0),
    timeouts: list.reduce((sum, part) => sum + part.timeouts, 0),
    slices: list.map((part) => Math.round(part.requestsPerSec)),
  };
});
const summaryOf = (name: string): Summary | undefined => summaries.find((entry) => entry.name === name);

console.log('');
printTable(
  [
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'vs floor',
    'vs express-session',
    'CPU µs/req',
    'CPU: vs floor',
    'vs express-session',
    'non-2xx/errors',
  ],
  summaries.map((entry) => [
    entry.label,
    formatRate(entry.requestsPerSec),
    formatMs(entry.p50),
    formatMs(entry.p99),
    formatPercent(entry.vsFloor),
    formatRatio(entry.vsExpressSession),
    entry.cpuPerRequest.toFixed(1),
    formatPercent(entry.cpuVsFloor),
    formatRatio(entry.cpuVsExpressSession),
    `${entry.non2xx}/${entry.errors + entry.timeouts}`,
  ]),
);
console.log(
  `req/s, p50, p99: median over ${roundCount * Math.max(1, Math.round(seconds / sliceSeconds))} slices of ` +
    `${sliceSeconds} s, ${connections} connections. Ratios: median of per-slice ratios of req/s (the targets ` +
    'of a slice run back to back). CPU µs/req: server process CPU (user + system) per request; CPU ratios: ' +
    "the other server's CPU per request over this one's (higher is cheaper).",
);

type RatioKey = 'vsFloor' | 'vsExpressSession' | 'cpuVsFloor' | 'cpuVsExpressSession';
const ratioOf = (name: string, key: RatioKey): number => summaryOf(name)?.[key] ?? Number.NaN;

interface Goal {
  what: string;
  value: number;
  /** The same comparison by server CPU per request. */
  byCpu: number;
  target: number;
  format: (value: number) => string;
}
const goals: Goal[] = [
  {
    what: 'tessera memory / floor',
    value: ratioOf('tessera-memory', 'vsFloor'),
    byCpu: ratioOf('tessera-memory', 'cpuVsFloor'),
    target: 0.9,
    format: formatPercent,
  },
  {
    what: 'tessera memory / express-session',
    value: ratioOf('tessera-memory', 'vsExpressSession'),
    byCpu: ratioOf('tessera-memory', 'cpuVsExpressSession'),
    target: 5,
    format: formatRatio,
  },
];
if (baseline !== undefined && baseline !== '') {
  goals.push({
    what: 'tessera memory / tessera at BENCH_BASELINE',
    value: pairedRatio('tessera-memory', 'baseline-memory'),
    byCpu: pairedCpuRatio('tessera-memory', 'baseline-memory'),
    target: 0.95,
    format: formatPercent,
  });
}
if (withSqlite) {
  goals.push({
    what: 'tessera sqlite / floor',
    value: ratioOf('tessera-sqlite', 'vsFloor'),
    byCpu: ratioOf('tessera-sqlite', 'cpuVsFloor'),
    target: 0.6,
    format: formatPercent,
  });
}
console.log('');
for (const goal of goals) {
  const verdict = goal.value >= goal.target ? 'met' : 'MISSED';
  console.log(
    `target ${goal.what}: ${goal.format(goal.value)} (goal >= ${goal.format(goal.target)}) ${verdict}` +
      ` [by server CPU per request: ${goal.format(goal.byCpu)}]`,
  );
}
console.log(
  `bare node:http = ${formatPercent(ratioOf('bare', 'vsFloor'))} of floor: how much room the server had above ` +
    'the floor on this machine with this load generator',
);

const file = writeResults('http', {
  settings: { seconds, sliceSeconds, warmupSeconds, connections, rounds: roundCount },
  loadAverageAfter: loadavg(),
  targets: summaries,
  goals: goals.map(({ what, value, byCpu, target }) => ({
    what,
    value,
    byCpu,
    target,
    met: value >= target,
    metByCpu: byCpu >= target,
  })),
  skipped: withSqlite ? [] : ['tessera-sqlite'],
  problems,
  valid: problems.length === 0,
});
console.log(`results: ${file}`);
if (problems.length > 0) {
  console.error(`INVALID bench run:\n${problems.join('\n')}`);
  process.exit(1);
}
