/**
 * Tessera on PostgreSQL, measured in one run against the floors, all node:http servers in their own processes,
 * driven by autocannon in interleaved slices (bench/lib/slices.ts):
 * - postgres floor (bench/servers/postgres-floor.ts): only the store read with the same driver, one prepared
 *   `SELECT` by primary key of a row with the columns of Tessera's table, then a hash comparison;
 * - memory floor (bench/servers/floor.ts): HMAC id + Map, as in the http bench; Tessera on its memory store.
 * Every session carries the same ~300-byte data payload as in the Redis bench. It reports req/s and server CPU
 * per request with Tessera's ratio to each, and the statements per validated request (pg_stat_database
 * xact_commit around one extra load run: one read-only statement, no write while no renewal is due).
 * `node --import tsx bench/postgres.bench.ts` (or `npm run bench -- postgres`); needs PostgreSQL at
 * BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test). Knobs: BENCH_SECONDS (5),
 * BENCH_SLICE_SECONDS (1), BENCH_WARMUP_SECONDS (1), BENCH_CONNECTIONS (10), BENCH_HTTP_ROUNDS (3),
 * BENCH_PROFILE=<target>[,…], BENCH_TARGETS=<target>[,…] (run only those), BENCH_BASELINE=<checkout> (add Tessera
 * as it is there). The Tessera servers are this same file started with `serve <target> <schema>`.
 */
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { MemoryStore } from '../src/stores/memory/memory-store.js';
import { PostgresStore } from '../src/stores/postgres/index.js';
import { load, login, type RunningServer, sanityCheck, startServer } from './lib/http-target.js';
import { writeResults } from './lib/results.js';
import {
  goalLine,
  pairedCpuRatio,
  pairedRatio,
  runSlices,
  type SliceTarget,
  selectTargets,
  settingsFromEnv,
  summarize,
} from './lib/slices.js';
import { formatPercent, formatRate, printTable } from './lib/table.js';
import { PAYLOAD } from './servers/payload.js';
import { serveTessera } from './servers/tessera-app.js';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function serveTarget(target: string, schema: string): void {
  const store =
    target === 'tessera-postgres'
      ? new PostgresStore({ connectionString: POSTGRES_URL, schema })
      : new MemoryStore({ maxSessions: 1_000_000 });
  serveTessera(store, () => store.close(), PAYLOAD);
}

async function statementCounts(client: pg.Client): Promise<{ commits: number; writes: number }> {
  const result = await client.query<{
    xact_commit: string;
    tup_inserted: string;
    tup_updated: string;
    tup_deleted: string;
  }>(
    'SELECT xact_commit, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()',
  );
  const row = result.rows[0];
  return {
    commits: Number(row?.xact_commit ?? 0),
    writes: Number(row?.tup_inserted ?? 0) + Number(row?.tup_updated ?? 0) + Number(row?.tup_deleted ?? 0),
  };
}

async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const schema = `bench_${process.pid}`;
  const floorSchema = `bench_floor_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  try {
    await admin.connect();
  } catch {
    console.log(`postgres: no PostgreSQL at ${POSTGRES_URL}; skipped`);
    return;
  }
  const self = new URL(import.meta.url);
  const servers = new URL('servers/', import.meta.url);
  const baseline = process.env.BENCH_BASELINE || undefined;
  const specs = selectTargets([
    { name: 'floor', label: 'memory floor: HMAC id + Map', file: new URL('floor.ts', servers), args: [] },
    {
      name: 'tessera-memory',
      label: 'tessera node:http, memory store',
      file: self,
      args: ['serve', 'tessera-memory', schema],
    },
    {
      name: 'postgres-floor',
      label: 'postgres floor: pg prepared SELECT',
      file: new URL('postgres-floor.ts', servers),
      args: [POSTGRES_URL, floorSchema],
    },
    {
      name: 'tessera-postgres',
      label: 'tessera node:http, postgres store',
      file: self,
      args: ['serve', 'tessera-postgres', schema],
    },
    // BENCH_BASELINE=<another checkout> (with its node_modules): Tessera on PostgreSQL as it is there.
    ...(baseline === undefined
      ? []
      : [
          {
            name: 'baseline-postgres',
            label: 'tessera at BENCH_BASELINE, postgres store',
            file: pathToFileURL(join(resolve(baseline), 'bench/postgres.bench.ts')),
            args: ['serve', 'tessera-postgres', `${schema}_base`],
          },
        ]),
  ]);
  console.log(
    `postgres: ${specs.length} targets, ${settings.connections} connections; ${settings.warmupSeconds} s warm-up, ` +
      `then ${settings.rounds} rounds of ${settings.seconds} s per target in interleaved ${settings.sliceSeconds} s slices`,
  );
  const running: RunningServer[] = [];
  const targets: SliceTarget[] = [];
  const problems: string[] = [];
  const perRequest = new Map<string, { statements: number; rowWrites: number }>();
  let slices: Awaited<ReturnType<typeof runSlices>>;
  try {
    for (const spec of specs) {
      const server = await startServer(spec.name, spec.file, spec.args);
      running.push(server);
      const cookie = await login(server.port);
      const check = await sanityCheck(server.port, cookie);
      if (check.withCookie !== 200 || check.withoutCookie !== 401) {
        problems.push(`${spec.name}: sanity check ${check.withCookie}/${check.withoutCookie}`);
      }
      targets.push({ name: spec.name, server, cookie });
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
    // Statements per request, one target at a time (this also warms the servers up). A busy backend reports
    // its counters to pg_stat at most once a second and about a second after it goes idle, hence the pauses
    // on both sides. The counters are the database's: the stats query itself is one committed transaction,
    // and other clients of a shared server count too, so this is an estimate.
    const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1500));
    for (const target of targets) {
      if (!target.name.includes('postgres')) continue;
      await settle();
      const before = await statementCounts(admin);
      const { result } = await load(target.server.port, target.cookie, {
        connections: settings.connections,
        seconds: Math.max(2, settings.sliceSeconds),
      });
      await settle();
      const after = await statementCounts(admin);
      perRequest.set(target.name, {
        statements: (after.commits - before.commits - 1) / result.requests.total,
        rowWrites: (after.writes - before.writes) / result.requests.total,
      });
    }
    slices = await runSlices(targets, settings, problems);
  } finally {
    await Promise.all(running.map((server) => server.stop()));
    for (const name of [schema, floorSchema, `${schema}_base`]) {
      await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => {});
    }
    await admin.end();
  }

  const rows = specs.map((spec) => ({
    name: spec.name,
    label: spec.label,
    ...summarize(slices.get(spec.name) ?? []),
    vsPostgresFloor: pairedRatio(slices, spec.name, 'postgres-floor'),
    cpuVsPostgresFloor: pairedCpuRatio(slices, spec.name, 'postgres-floor'),
    vsFloor: pairedRatio(slices, spec.name, 'floor'),
    cpuVsFloor: pairedCpuRatio(slices, spec.name, 'floor'),
    perRequest: perRequest.get(spec.name) ?? null,
  }));
  console.log('');
  printTable(
    [
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'vs postgres floor',
      'vs memory floor',
      'CPU µs/req',
      'CPU: vs postgres floor',
      'vs memory floor',
      'statements / row writes per request',
    ],
    rows.map((row) => [
      row.label,
      formatRate(row.requestsPerSec),
      (row.p50 / 1000).toFixed(3),
      (row.p99 / 1000).toFixed(3),
      formatPercent(row.vsPostgresFloor),
      formatPercent(row.vsFloor),
      row.cpuPerRequest.toFixed(1),
      formatPercent(row.cpuVsPostgresFloor),
      formatPercent(row.cpuVsFloor),
      row.perRequest === null
        ? '-'
        : `~${row.perRequest.statements.toFixed(3)} / ${row.perRequest.rowWrites.toFixed(4)}`,
    ]),
  );
  console.log(
    `req/s, p50, p99, CPU: medians over ${(slices.get(specs[0]?.name ?? '') ?? []).length} slices of ${settings.sliceSeconds} s; ` +
      'ratios: medians of per-slice ratios (req/s: this / other; CPU: other / this, higher is cheaper).',
  );
  const goals = [
    { what: 'tessera postgres / postgres floor', base: 'postgres-floor', goal: 0.9 },
    ...(baseline === undefined
      ? []
      : [{ what: 'tessera postgres / tessera at BENCH_BASELINE', base: 'baseline-postgres', goal: 0.95 }]),
  ].map((goal) => ({
    ...goal,
    value: pairedRatio(slices, 'tessera-postgres', goal.base),
    byCpu: pairedCpuRatio(slices, 'tessera-postgres', goal.base),
  }));
  console.log('');
  for (const goal of goals)
    console.log(goalLine(goal.what, goal.value, goal.byCpu, goal.goal, formatPercent));
  console.log(
    `tessera postgres / tessera memory: ${formatPercent(pairedRatio(slices, 'tessera-postgres', 'tessera-memory'))}` +
      ` [by server CPU per request: ${formatPercent(pairedCpuRatio(slices, 'tessera-postgres', 'tessera-memory'))}]`,
  );
  const counted = perRequest.get('tessera-postgres');
  console.log(
    `tessera per validated request: ~${counted?.statements.toFixed(3)} statements, ` +
      `${counted?.rowWrites.toFixed(4)} row writes (0 while no renewal is due)`,
  );
  const file = writeResults('postgres', {
    settings,
    loadAverageAfter: loadavg(),
    targets: rows,
    goals: goals.map(({ what, value, byCpu, goal }) => ({ what, value, byCpu, goal, met: value >= goal })),
    problems,
    valid: problems.length === 0,
  });
  console.log(`results: ${file}`);
  if (problems.length > 0) {
    console.error(`INVALID bench run:\n${problems.join('\n')}`);
    process.exit(1);
  }
}

if (process.argv[2] === 'serve')
  serveTarget(process.argv[3] ?? 'tessera-postgres', process.argv[4] ?? 'tessera');
else await main();
