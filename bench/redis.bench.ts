/**
 * Tessera on Redis, measured in one run against the floors and a peer, all node:http servers in their own
 * processes on the same Redis, driven by autocannon in interleaved slices (bench/lib/slices.ts):
 * - redis floor (bench/servers/redis-floor.ts): only the store read with the same driver, one ioredis `GET` of
 *   a JSON record of the same fields and data and one `JSON.parse`, then a hash comparison;
 * - memory floor (bench/servers/floor.ts): HMAC id + Map, as in the http bench; Tessera on its memory store;
 * - Express 5 + express-session + connect-redis 10 (client: `redis`).
 * It reports req/s and server CPU per request with Tessera's ratio to each, the Redis commands per validated
 * request (INFO commandstats around one extra load run: Tessera's is one GET and no write while no renewal is
 * due) and the bytes of Redis memory per session for a ~300-byte data payload (MEMORY USAGE of every key a
 * session uses: for Tessera the session string, its subject index and a share of the sweep-hint set).
 * `node --import tsx bench/redis.bench.ts` (or `npm run bench -- redis`). Needs Redis at 127.0.0.1:6379
 * (BENCH_REDIS_URL). Knobs: BENCH_SECONDS (5), BENCH_SLICE_SECONDS (1), BENCH_WARMUP_SECONDS (1),
 * BENCH_CONNECTIONS (10), BENCH_HTTP_ROUNDS (3), BENCH_MEMORY_SESSIONS (1000), BENCH_PROFILE=<target>[,…],
 * BENCH_TARGETS=<target>[,…] (run only those), BENCH_REDIS_DRIVERS=1 (add the floor on other Redis clients),
 * BENCH_BASELINE=<checkout> (add Tessera as it is there), BENCH_REDIS_CLUSTER=1 (add Tessera on a Redis Cluster of
 * three primaries and three replicas started for the run, as the test harness starts it; its commands are not
 * counted, they go to the cluster's nodes).
 * The Tessera and Express servers are this same file started with `serve <target>`.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { createTessera } from '../src/core/manager.js';
import { MemoryStore } from '../src/stores/memory/memory-store.js';
import { RedisStore } from '../src/stores/redis/index.js';
import { envNumber } from './lib/harness.js';
import { redisKeyBytes } from './scale/footprint.js';
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
import { formatPercent, formatRate, formatRatio, printTable } from './lib/table.js';
import { listen, OK_BODY, SUBJECT } from './servers/listen.js';
import { PAYLOAD } from './servers/payload.js';
import { serveTessera } from './servers/tessera-app.js';
import { startRedisCluster } from '../test/support/redis-cluster.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function serveTarget(target: string): Promise<void> {
  if (target === 'express-connect-redis') return serveExpress();
  const clusterUrl = process.env.BENCH_REDIS_CLUSTER_URL;
  const store =
    target === 'tessera-redis'
      ? new RedisStore({ connection: REDIS_URL, prefix: `bench:${process.pid}:` })
      : target === 'tessera-redis-cluster' && clusterUrl !== undefined
        ? new RedisStore({ connection: clusterUrl, prefix: `bench:${process.pid}:` })
        : new MemoryStore({ maxSessions: 1_000_000 });
  serveTessera(store, () => store.close(), PAYLOAD);
}

async function serveExpress(): Promise<void> {
  const [{ default: express }, { default: session }, { RedisStore: ConnectRedis }, { createClient }] =
    await Promise.all([
      import('express'),
      import('express-session'),
      import('connect-redis'),
      import('redis'),
    ]);
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  const app = express();
  app.disable('x-powered-by');
  app.use(
    session({
      store: new ConnectRedis({ client, prefix: `bench-sess:${process.pid}:` }),
      secret: randomBytes(32).toString('base64url'),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'strict', secure: false },
    }),
  );
  app.post('/login', (request, response) => {
    Object.assign(request.session, { subject: SUBJECT, ...PAYLOAD });
    response.status(204).end();
  });
  app.get('/', (request, response) => {
    if ((request.session as unknown as { subject?: string }).subject === undefined) {
      response.status(401).json({ error: { code: 'token_invalid' } });
      return;
    }
    response.type('application/json').send(OK_BODY);
  });
  listen(createServer(app), async () => {
    await client.quit();
  });
}

/** `cmdstat_<name>:calls=<n>,…` lines of INFO commandstats as a map. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1] as string, Number(match[2]));
  }
  return calls;
}

function delta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, count] of after) {
    const diff = count - (before.get(name) ?? 0);
    if (diff > 0 && name !== 'info') out.set(name, diff);
  }
  return out;
}

const WRITE_COMMANDS = new Set([
  'set',
  'setex',
  'expire',
  'pexpire',
  'hset',
  'del',
  'zadd',
  'evalsha',
  'eval',
]);

async function memoryPerSession(
  redis: Redis,
  count: number,
): Promise<{ tessera: number; connectRedis: number }> {
  const prefix = `bench-mem:${process.pid}:`;
  const store = new RedisStore({ connection: REDIS_URL, prefix });
  const manager = createTessera({ store });
  for (let n = 0; n < count; n += 1) {
    await manager.create({ subject: `member-${n}@example.com`, data: PAYLOAD });
  }
  // Every key under the prefix: sessions, subject indexes and the sweep hints.
  const { parts } = await redisKeyBytes(redis, prefix);
  const tesseraBytes = Object.values(parts).reduce((sum, value) => sum + value, 0);
  await store.close();

  const [{ RedisStore: ConnectRedis }, { createClient }] = await Promise.all([
    import('connect-redis'),
    import('redis'),
  ]);
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  const connect = new ConnectRedis({ client, prefix: `bench-mem-sess:${process.pid}:` });
  let connectBytes = 0;
  for (let n = 0; n < count; n += 1) {
    const sid = randomBytes(24).toString('base64url');
    const cookie = {
      originalMaxAge: null,
      expires: null,
      httpOnly: true,
      path: '/',
      sameSite: 'strict',
      secure: false,
    };
    await connect.set(sid, { cookie, subject: `member-${n}@example.com`, ...PAYLOAD } as never);
    connectBytes += Number(
      await redis.call('MEMORY', 'USAGE', `bench-mem-sess:${process.pid}:${sid}`, 'SAMPLES', '0'),
    );
  }
  await client.quit();
  for (const pattern of [`${prefix}*`, `bench-mem-sess:${process.pid}:*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return { tessera: tesseraBytes / count, connectRedis: connectBytes / count };
}

interface TargetSpec {
  readonly name: string;
  readonly label: string;
  readonly file: URL;
  readonly args: string[];
  /** Sends commands to Redis (counted with INFO commandstats). */
  readonly usesRedis: boolean;
}

async function main(): Promise<void> {
  const settings = settingsFromEnv();
  const memorySessions = envNumber('BENCH_MEMORY_SESSIONS', 1000);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await redis.ping();
  } catch {
    console.log(`redis: no Redis at ${REDIS_URL}; skipped`);
    redis.disconnect();
    return;
  }
  const self = new URL(import.meta.url);
  const servers = new URL('servers/', import.meta.url);
  const cluster = process.env.BENCH_REDIS_CLUSTER === '1' ? await startRedisCluster() : null;
  if (cluster !== null) process.env.BENCH_REDIS_CLUSTER_URL = cluster.url;
  const baseline = process.env.BENCH_BASELINE || undefined;
  const specs: TargetSpec[] = selectTargets([
    {
      name: 'floor',
      label: 'memory floor: HMAC id + Map',
      file: new URL('floor.ts', servers),
      args: [],
      usesRedis: false,
    },
    {
      name: 'tessera-memory',
      label: 'tessera node:http, memory store',
      file: self,
      args: ['serve', 'tessera-memory'],
      usesRedis: false,
    },
    {
      name: 'redis-floor',
      label: 'redis floor: ioredis GET + JSON.parse',
      file: new URL('redis-floor.ts', servers),
      args: [REDIS_URL, 'ioredis'],
      usesRedis: true,
    },
    // BENCH_REDIS_DRIVERS=1: the same floor on other clients, to see whether another driver is cheaper.
    ...(process.env.BENCH_REDIS_DRIVERS === '1'
      ? [
          {
            name: 'redis-floor-plain',
            label: 'redis floor, ioredis without auto-pipelining',
            file: new URL('redis-floor.ts', servers),
            args: [REDIS_URL, 'ioredis-plain'],
            usesRedis: true,
          },
          {
            name: 'redis-floor-node-redis',
            label: 'redis floor, node-redis (redis 6)',
            file: new URL('redis-floor.ts', servers),
            args: [REDIS_URL, 'node-redis'],
            usesRedis: true,
          },
        ]
      : []),
    {
      name: 'tessera-redis',
      label: 'tessera node:http, redis store',
      file: self,
      args: ['serve', 'tessera-redis'],
      usesRedis: true,
    },
    // BENCH_BASELINE=<another checkout> (with its node_modules): Tessera on Redis as it is there, so a change to
    // the store's hot path is measured against its parent in one run.
    ...(baseline === undefined
      ? []
      : [
          {
            name: 'baseline-redis',
            label: 'tessera at BENCH_BASELINE, redis store',
            file: pathToFileURL(join(resolve(baseline), 'bench/redis.bench.ts')),
            args: ['serve', 'tessera-redis'],
            usesRedis: true,
          },
        ]),
    ...(cluster === null
      ? []
      : [
          {
            name: 'tessera-redis-cluster',
            label: 'tessera node:http, redis cluster store (3 primaries)',
            file: self,
            args: ['serve', 'tessera-redis-cluster'],
            usesRedis: false,
          },
        ]),
    {
      name: 'express-connect-redis',
      label: 'express 5 + express-session + connect-redis',
      file: self,
      args: ['serve', 'express-connect-redis'],
      usesRedis: true,
    },
  ]);
  console.log(
    `redis: ${specs.length} targets, ${settings.connections} connections; ${settings.warmupSeconds} s warm-up, ` +
      `then ${settings.rounds} rounds of ${settings.seconds} s per target in interleaved ${settings.sliceSeconds} s slices`,
  );
  const running: RunningServer[] = [];
  const targets: SliceTarget[] = [];
  const commands = new Map<string, Map<string, number>>();
  const problems: string[] = [];
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
    // Commands per request, one target at a time (this also warms the servers up).
    for (const target of targets) {
      if (!specs.find((spec) => spec.name === target.name)?.usesRedis) continue;
      const before = await commandCalls(redis);
      const { result } = await load(target.server.port, target.cookie, {
        connections: settings.connections,
        seconds: settings.sliceSeconds,
      });
      const after = await commandCalls(redis);
      const perRequest = new Map<string, number>();
      for (const [name, count] of delta(before, after)) perRequest.set(name, count / result.requests.total);
      commands.set(target.name, perRequest);
    }
    slices = await runSlices(targets, settings, problems);
  } finally {
    await Promise.all(running.map((server) => server.stop()));
    await cluster?.stop();
  }

  const rows = specs.map((spec) => {
    const summary = summarize(slices.get(spec.name) ?? []);
    return {
      name: spec.name,
      label: spec.label,
      ...summary,
      vsRedisFloor: pairedRatio(slices, spec.name, 'redis-floor'),
      cpuVsRedisFloor: pairedCpuRatio(slices, spec.name, 'redis-floor'),
      vsFloor: pairedRatio(slices, spec.name, 'floor'),
      cpuVsFloor: pairedCpuRatio(slices, spec.name, 'floor'),
      commands: Object.fromEntries(commands.get(spec.name) ?? new Map<string, number>()),
    };
  });
  console.log('');
  printTable(
    [
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'vs redis floor',
      'vs memory floor',
      'CPU µs/req',
      'CPU: vs redis floor',
      'vs memory floor',
      'redis commands per request',
    ],
    rows.map((row) => [
      row.label,
      formatRate(row.requestsPerSec),
      (row.p50 / 1000).toFixed(3),
      (row.p99 / 1000).toFixed(3),
      formatPercent(row.vsRedisFloor),
      formatPercent(row.vsFloor),
      row.cpuPerRequest.toFixed(1),
      formatPercent(row.cpuVsRedisFloor),
      formatPercent(row.cpuVsFloor),
      Object.keys(row.commands).length === 0
        ? '-'
        : Object.entries(row.commands)
            .map(([name, perRequest]) => `${name} ${perRequest.toFixed(3)}`)
            .join(', '),
    ]),
  );
  console.log(
    `req/s, p50, p99, CPU: medians over ${(slices.get(specs[0]?.name ?? '') ?? []).length} slices of ${settings.sliceSeconds} s; ` +
      'ratios: medians of per-slice ratios (req/s: this / other; CPU: other / this, higher is cheaper).',
  );
  const ratio = (name: string, base: string): { value: number; byCpu: number } => ({
    value: pairedRatio(slices, name, base),
    byCpu: pairedCpuRatio(slices, name, base),
  });
  const tesseraCommands = commands.get('tessera-redis') ?? new Map<string, number>();
  const writesPerRequest = [...tesseraCommands]
    .filter(([name]) => WRITE_COMMANDS.has(name))
    .reduce((sum, [, perRequest]) => sum + perRequest, 0);
  const goals = [
    {
      what: 'tessera redis / redis floor',
      ...ratio('tessera-redis', 'redis-floor'),
      goal: 0.9,
      format: formatPercent,
    },
    {
      what: 'tessera redis / tessera memory',
      ...ratio('tessera-redis', 'tessera-memory'),
      goal: 0.75,
      format: formatPercent,
    },
    {
      what: 'tessera redis / express-session + connect-redis',
      ...ratio('tessera-redis', 'express-connect-redis'),
      goal: 4,
      format: formatRatio,
    },
    ...(baseline === undefined
      ? []
      : [
          {
            what: 'tessera redis / tessera at BENCH_BASELINE',
            ...ratio('tessera-redis', 'baseline-redis'),
            goal: 0.95,
            format: formatPercent,
          },
        ]),
  ];
  console.log('');
  for (const goal of goals) console.log(goalLine(goal.what, goal.value, goal.byCpu, goal.goal, goal.format));
  console.log(
    `target store writes per validation with no renewal due: ${writesPerRequest.toFixed(4)} (goal 0) ${writesPerRequest === 0 ? 'met' : 'MISSED'}`,
  );
  const memory = await memoryPerSession(redis, memorySessions);
  redis.disconnect();
  console.log(
    `redis memory per session (${JSON.stringify(PAYLOAD).length}-byte payload, ${memorySessions} sessions): ` +
      `tessera ${Math.round(memory.tessera)} B (session string + subject index + sweep-hint share), ` +
      `connect-redis ${Math.round(memory.connectRedis)} B`,
  );
  const file = writeResults('redis', {
    settings,
    loadAverageAfter: loadavg(),
    targets: rows,
    goals: goals.map(({ what, value, byCpu, goal }) => ({ what, value, byCpu, goal, met: value >= goal })),
    writesPerRequest,
    memoryPerSession: memory,
    payloadBytes: JSON.stringify(PAYLOAD).length,
    problems,
    valid: problems.length === 0,
  });
  console.log(`results: ${file}`);
  if (problems.length > 0) {
    console.error(`INVALID bench run:\n${problems.join('\n')}`);
    process.exit(1);
  }
}

if (process.argv[2] === 'serve') await serveTarget(process.argv[3] ?? 'tessera-redis');
else await main();
