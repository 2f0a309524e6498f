/**
 * HTTP throughput of a node:http server that validates a Tessera session cookie on every request, measured in
 * the same run as (0) a bare node:http "hello", (a) the floor (HMAC-signed random id checked against a Map) and
 * (b) Express 5 + express-session with its MemoryStore. Each server runs in its own process; autocannon drives
 * load from this one with fixed connections. Every request carries a valid session cookie; any non-2xx
 * response, socket error or timeout makes the run invalid (exit code 1).
 *
 * Rounds interleave the targets (a different order each round) so slow drift on a shared machine spreads
 * across all of them; each target's figure is its median round.
 * Knobs: BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (1), BENCH_CONNECTIONS (10), BENCH_HTTP_ROUNDS (3),
 * BENCH_PROFILE=<target>[,…] (CPU profile of those servers under bench-results/profiles).
 */
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
  non2xx: number;
  errors: number;
  timeouts: number;
}

const seconds = envNumber('BENCH_SECONDS', 5);
const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 1);
const connections = envNumber('BENCH_CONNECTIONS', 10);
const roundCount = envNumber('BENCH_HTTP_ROUNDS', 3);

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
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

console.log(
  `http: ${targets.length} targets, ${connections} connections, ${warmupSeconds} s warm-up + ${seconds} s ` +
    `measured per target per round, ${roundCount} interleaved rounds`,
);

const servers = new Map<string, RunningServer>();
const cookies = new Map<string, string>();
const rounds = new Map<string, Round[]>(targets.map((target) => [target.name, []]));
const problems: string[] = [];
try {
  for (const target of targets) {
    const server = await startServer(
      target.name,
      new URL(`servers/${target.file}`, import.meta.url),
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

  for (let round = 0; round < roundCount; round += 1) {
    const order = targets.map((_, index) => targets[(index + round) % targets.length] as Target);
    for (const target of order) {
      const server = servers.get(target.name) as RunningServer;
      const cookie = cookies.get(target.name) as string;
      const warm = roundOf(await load(server.port, cookie, { connections, seconds: warmupSeconds }));
      const measured = roundOf(await load(server.port, cookie, { connections, seconds }));
      for (const part of [warm, measured]) {
        if (part.non2xx + part.errors + part.timeouts > 0) {
          problems.push(
            `${target.name} round ${round + 1}: ${part.non2xx} non-2xx, ${part.errors} errors, ${part.timeouts} timeouts`,
          );
        }
      }
      rounds.get(target.name)?.push(measured);
      console.log(
        `  round ${round + 1}/${roundCount}  ${target.name.padEnd(16)} ${formatRate(measured.requestsPerSec).padStart(8)} req/s` +
          `  p50 ${formatMs(measured.p50)} ms  p99 ${formatMs(measured.p99)} ms`,
      );
    }
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
  /** Median of per-round ratios to the floor. */
  vsFloor: number;
  /** Median of per-round ratios to express-session. */
  vsExpressSession: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  rounds: number[];
}

/** Median over rounds of this target's rate divided by another's in the same round (paired, so drift cancels). */
function pairedRatio(name: string, base: string): number {
  const mine = rounds.get(name) ?? [];
  const theirs = rounds.get(base) ?? [];
  return median(
    mine.map((round, index) => round.requestsPerSec / (theirs[index]?.requestsPerSec ?? Number.NaN)),
  );
}

const summaries: Summary[] = targets.map((target) => {
  const list = rounds.get(target.name) ?? [];
  return {
    name: target.name,
    label: target.label,
    requestsPerSec: median(list.map((round) => round.requestsPerSec)),
    p50: median(list.map((round) => round.p50)),
    p99: median(list.map((round) => round.p99)),
    vsFloor: pairedRatio(target.name, 'floor'),
    vsExpressSession: pairedRatio(target.name, 'express-session'),
    requests: list.reduce((sum, round) => sum + round.total, 0),
    non2xx: list.reduce((sum, round) => sum + round.non2xx, 0),
    errors: list.reduce((sum, round) => sum + round.errors, 0),
    timeouts: list.reduce((sum, round) => sum + round.timeouts, 0),
    rounds: list.map((round) => Math.round(round.requestsPerSec)),
  };
});
const summaryOf = (name: string): Summary | undefined => summaries.find((entry) => entry.name === name);

console.log('');
printTable(
  ['target', 'req/s', 'p50 ms', 'p99 ms', 'vs floor', 'vs express-session', 'non-2xx/errors'],
  summaries.map((entry) => [
    entry.label,
    formatRate(entry.requestsPerSec),
    formatMs(entry.p50),
    formatMs(entry.p99),
    formatPercent(entry.vsFloor),
    formatRatio(entry.vsExpressSession),
    `${entry.non2xx}/${entry.errors + entry.timeouts}`,
  ]),
);
console.log(
  `req/s and latencies: median of ${roundCount} rounds of ${seconds} s, ${connections} connections; ` +
    'ratios: median of the per-round ratios (the targets of one round run back to back).',
);

const ratioOf = (name: string, key: 'vsFloor' | 'vsExpressSession'): number =>
  summaryOf(name)?.[key] ?? Number.NaN;

interface Goal {
  what: string;
  value: number;
  target: number;
  format: (value: number) => string;
}
const goals: Goal[] = [
  {
    what: 'tessera memory / floor',
    value: ratioOf('tessera-memory', 'vsFloor'),
    target: 0.9,
    format: formatPercent,
  },
  {
    what: 'tessera memory / express-session',
    value: ratioOf('tessera-memory', 'vsExpressSession'),
    target: 5,
    format: formatRatio,
  },
];
if (withSqlite) {
  goals.push({
    what: 'tessera sqlite / floor',
    value: ratioOf('tessera-sqlite', 'vsFloor'),
    target: 0.6,
    format: formatPercent,
  });
}
console.log('');
for (const goal of goals) {
  const verdict = goal.value >= goal.target ? 'met' : 'MISSED';
  console.log(
    `target ${goal.what}: ${goal.format(goal.value)} (goal >= ${goal.format(goal.target)}) ${verdict}`,
  );
}
console.log(
  `bare node:http = ${formatPercent(ratioOf('bare', 'vsFloor'))} of floor: how much room the server had above ` +
    'the floor on this machine with this load generator',
);

const file = writeResults('http', {
  settings: { seconds, warmupSeconds, connections, rounds: roundCount },
  targets: summaries,
  goals: goals.map(({ what, value, target }) => ({ what, value, target, met: value >= target })),
  skipped: withSqlite ? [] : ['tessera-sqlite'],
  problems,
  valid: problems.length === 0,
});
console.log(`results: ${file}`);
if (problems.length > 0) {
  console.error(`INVALID bench run:\n${problems.join('\n')}`);
  process.exit(1);
}
