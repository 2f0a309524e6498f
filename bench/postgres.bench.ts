/**
 * Tessera on PostgreSQL, measured in one run against Tessera on its memory store: HTTP validation throughput
 * (node:http servers in their own processes, autocannon, interleaved rounds) and the statements per validated
 * request (pg_stat_database xact_commit before/after: one read-only statement, no write while no renewal is
 * due). `node --import tsx bench/postgres.bench.ts` (or `npm run bench -- postgres`); needs PostgreSQL at
 * BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test). Knobs: BENCH_SECONDS (5),
 * BENCH_WARMUP_SECONDS (1), BENCH_CONNECTIONS (10), BENCH_HTTP_ROUNDS (3).
 * The servers are this same file started with `serve <target>`.
 */
import { createServer } from 'node:http';
import pg from 'pg';
import { authenticateNode, nodeRequestFacts } from '../src/adapters/node/index.js';
import { createTessera } from '../src/core/manager.js';
import { MemoryStore } from '../src/stores/memory/memory-store.js';
import { PostgresStore } from '../src/stores/postgres/index.js';
import { HttpSessions } from '../src/transport/http-sessions.js';
import { envNumber, median } from './lib/harness.js';
import { load, login, type RunningServer, sanityCheck, startServer } from './lib/http-target.js';
import { writeResults } from './lib/results.js';
import { formatPercent, formatRate, printTable } from './lib/table.js';
import { listen, OK_BODY, SUBJECT } from './servers/listen.js';
import { serveTessera } from './servers/tessera-app.js';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `bench_${process.ppid}`;

async function serveTarget(target: string): Promise<void> {
  const store =
    target === 'tessera-postgres'
      ? new PostgresStore({ connectionString: POSTGRES_URL, schema: process.argv[4] ?? SCHEMA })
      : new MemoryStore({ maxSessions: 1_000_000 });
  serveTessera(store, () => store.close());
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
  const seconds = envNumber('BENCH_SECONDS', 5);
  const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 1);
  const connections = envNumber('BENCH_CONNECTIONS', 10);
  const roundCount = envNumber('BENCH_HTTP_ROUNDS', 3);
  const schema = `bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  try {
    await admin.connect();
  } catch {
    console.log(`postgres: no PostgreSQL at ${POSTGRES_URL}; skipped`);
    return;
  }
  const targets = [
    { name: 'tessera-memory', label: 'tessera node:http, memory store' },
    { name: 'tessera-postgres', label: 'tessera node:http, postgres store' },
  ];
  const self = new URL(import.meta.url);
  const servers = new Map<string, RunningServer>();
  const cookies = new Map<string, string>();
  const rates = new Map<string, number[]>(targets.map((target) => [target.name, []]));
  let perRequest = { statements: Number.NaN, rowWrites: Number.NaN };
  try {
    for (const target of targets) {
      const server = await startServer(target.name, self, ['serve', target.name, schema]);
      servers.set(target.name, server);
      const cookie = await login(server.port);
      const check = await sanityCheck(server.port, cookie);
      if (check.withCookie !== 200 || check.withoutCookie !== 401) {
        throw new Error(`${target.name}: sanity check ${check.withCookie}/${check.withoutCookie}`);
      }
      cookies.set(target.name, cookie);
    }
    for (let round = 0; round < roundCount; round += 1) {
      for (let step = 0; step < targets.length; step += 1) {
        const target = targets[(step + round) % targets.length] as (typeof targets)[number];
        const server = servers.get(target.name) as RunningServer;
        const cookie = cookies.get(target.name) as string;
        await load(server.port, cookie, { connections, seconds: warmupSeconds });
        const before = await statementCounts(admin);
        const { result } = await load(server.port, cookie, { connections, seconds });
        const after = await statementCounts(admin);
        if (result.non2xx + result.errors + result.timeouts > 0) {
          throw new Error(
            `${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
          );
        }
        const rate = result.requests.total / result.duration;
        rates.get(target.name)?.push(rate);
        if (round === 0 && target.name === 'tessera-postgres') {
          // The stats query itself is one committed transaction; pg_stat counters lag up to ~0.5 s, which
          // the following round absorbs, so this is an estimate (shared server: other clients count too).
          perRequest = {
            statements: (after.commits - before.commits - 1) / result.requests.total,
            rowWrites: (after.writes - before.writes) / result.requests.total,
          };
        }
        console.log(
          `  round ${round + 1}/${roundCount}  ${target.name.padEnd(18)} ${formatRate(rate).padStart(8)} req/s`,
        );
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await admin.end();
  }
  const ratio = median(
    (rates.get('tessera-postgres') ?? []).map(
      (rate, index) => rate / ((rates.get('tessera-memory') ?? [])[index] ?? Number.NaN),
    ),
  );
  console.log('');
  printTable(
    ['target', 'req/s'],
    targets.map((target) => [target.label, formatRate(median(rates.get(target.name) ?? []))]),
  );
  console.log(`tessera postgres / tessera memory: ${formatPercent(ratio)}`);
  console.log(
    `per validated request: ~${perRequest.statements.toFixed(3)} statements, ${perRequest.rowWrites.toFixed(4)} row writes`,
  );
  console.log(
    `results: ${writeResults('postgres', { seconds, connections, rounds: Object.fromEntries(rates), ratio, perRequest })}`,
  );
}

if (process.argv[2] === 'serve') await serveTarget(process.argv[3] ?? 'tessera-postgres');
else await main();
