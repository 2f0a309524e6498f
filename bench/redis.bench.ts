/**
 * Tessera on Redis, measured in one run against (a) Tessera on its memory store and (b) Express 5 +
 * express-session + connect-redis 10 (client: `redis`) on the same Redis server:
 * 1. HTTP validation throughput (node:http servers in their own processes, autocannon, interleaved rounds);
 * 2. Redis commands per validated request (INFO commandstats before/after a load run): Tessera's is one
 *    HGETALL and no write while no renewal is due; express-session + connect-redis GET + EXPIRE (touch);
 * 3. bytes of Redis memory per session for a ~300-byte data payload (MEMORY USAGE of every key a session
 *    uses: for Tessera the session hash, its subject index and a share of the sweep-hint set).
 * `node --import tsx bench/redis.bench.ts` (or `npm run bench -- redis`). Needs Redis at 127.0.0.1:6379
 * (BENCH_REDIS_URL). Knobs: BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (1), BENCH_CONNECTIONS (10),
 * BENCH_HTTP_ROUNDS (3), BENCH_MEMORY_SESSIONS (1000).
 * The servers are this same file started with `serve <target>`, so the bench is self-contained.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Redis } from 'ioredis';
import { authenticateNode, nodeRequestFacts } from '../src/adapters/node/index.js';
import { createTessera } from '../src/core/manager.js';
import { MemoryStore } from '../src/stores/memory/memory-store.js';
import { RedisStore } from '../src/stores/redis/index.js';
import { HttpSessions } from '../src/transport/http-sessions.js';
import { envNumber, median } from './lib/harness.js';
import { load, login, type RunningServer, sanityCheck, startServer } from './lib/http-target.js';
import { writeResults } from './lib/results.js';
import { formatPercent, formatRate, formatRatio, printTable } from './lib/table.js';
import { listen, OK_BODY, SUBJECT } from './servers/listen.js';
import { serveTessera } from './servers/tessera-app.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A ~300-byte JSON payload, the size the issue compares at. */
export const PAYLOAD = {
  user: { id: 48213, name: 'Ada Lovelace', email: 'ada@example.com', locale: 'en-GB' },
  roles: ['reader', 'editor'],
  cart: { items: 3, total: 129.95, currency: 'EUR' },
  flags: { beta: true, newsletter: false },
  csrfSeed: 'q3Z8vR1xY5bN0mK7tL2wE9sD4fG6hJ',
  note: 'x'.repeat(60),
};

async function serveTarget(target: string): Promise<void> {
  if (target === 'express-connect-redis') return serveExpress();
  const store =
    target === 'tessera-redis'
      ? new RedisStore({ connection: REDIS_URL, prefix: `bench:${process.pid}:` })
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
  let tesseraBytes = 0;
  const ids: string[] = [];
  for (let n = 0; n < count; n += 1) {
    const issued = await manager.create({ subject: `member-${n}@example.com`, data: PAYLOAD });
    ids.push(issued.session.id);
  }
  for (let n = 0; n < count; n += 1) {
    const keys = [store.keys.session(ids[n] as string), store.keys.index(`member-${n}@example.com`)];
    for (const key of keys) tesseraBytes += Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
  }
  tesseraBytes += Number(await redis.call('MEMORY', 'USAGE', store.keys.hint, 'SAMPLES', '0'));
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

async function main(): Promise<void> {
  const seconds = envNumber('BENCH_SECONDS', 5);
  const warmupSeconds = envNumber('BENCH_WARMUP_SECONDS', 1);
  const connections = envNumber('BENCH_CONNECTIONS', 10);
  const roundCount = envNumber('BENCH_HTTP_ROUNDS', 3);
  const memorySessions = envNumber('BENCH_MEMORY_SESSIONS', 1000);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    await redis.ping();
  } catch {
    console.log(`redis: no Redis at ${REDIS_URL}; skipped`);
    redis.disconnect();
    return;
  }
  const targets = [
    { name: 'tessera-memory', label: 'tessera node:http, memory store' },
    { name: 'tessera-redis', label: 'tessera node:http, redis store' },
    { name: 'express-connect-redis', label: 'express 5 + express-session + connect-redis' },
  ];
  const self = new URL(import.meta.url);
  const servers = new Map<string, RunningServer>();
  const cookies = new Map<string, string>();
  const rates = new Map<string, number[]>(targets.map((target) => [target.name, []]));
  const commands = new Map<string, Map<string, number>>();
  const problems: string[] = [];
  try {
    for (const target of targets) {
      const server = await startServer(target.name, self, ['serve', target.name]);
      servers.set(target.name, server);
      const cookie = await login(server.port);
      const check = await sanityCheck(server.port, cookie);
      if (check.withCookie !== 200 || check.withoutCookie !== 401) {
        problems.push(`${target.name}: sanity check ${check.withCookie}/${check.withoutCookie}`);
      }
      cookies.set(target.name, cookie);
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
    for (let round = 0; round < roundCount; round += 1) {
      for (let step = 0; step < targets.length; step += 1) {
        const target = targets[(step + round) % targets.length] as (typeof targets)[number];
        const server = servers.get(target.name) as RunningServer;
        const cookie = cookies.get(target.name) as string;
        await load(server.port, cookie, { connections, seconds: warmupSeconds });
        const before = await commandCalls(redis);
        const { result } = await load(server.port, cookie, { connections, seconds });
        const after = await commandCalls(redis);
        if (result.non2xx + result.errors + result.timeouts > 0) {
          problems.push(
            `${target.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
          );
        }
        const rate = result.requests.total / result.duration;
        rates.get(target.name)?.push(rate);
        if (round === 0) {
          const perRequest = new Map<string, number>();
          for (const [name, count] of delta(before, after))
            perRequest.set(name, count / result.requests.total);
          commands.set(target.name, perRequest);
        }
        console.log(
          `  round ${round + 1}/${roundCount}  ${target.name.padEnd(22)} ${formatRate(rate).padStart(8)} req/s`,
        );
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));

  const paired = (a: string, b: string): number =>
    median((rates.get(a) ?? []).map((rate, index) => rate / ((rates.get(b) ?? [])[index] ?? Number.NaN)));
  console.log('');
  printTable(
    ['target', 'req/s', 'redis commands per request'],
    targets.map((target) => [
      target.label,
      formatRate(median(rates.get(target.name) ?? [])),
      target.name === 'tessera-memory'
        ? '-'
        : [...(commands.get(target.name) ?? new Map<string, number>())]
            .map(([name, perRequest]) => `${name} ${perRequest.toFixed(3)}`)
            .join(', '),
    ]),
  );
  const redisVsMemory = paired('tessera-redis', 'tessera-memory');
  const redisVsExpress = paired('tessera-redis', 'express-connect-redis');
  const tesseraCommands = commands.get('tessera-redis') ?? new Map<string, number>();
  const writesPerRequest = [...tesseraCommands]
    .filter(([name]) => WRITE_COMMANDS.has(name))
    .reduce((sum, [, perRequest]) => sum + perRequest, 0);
  const memory = await memoryPerSession(redis, memorySessions);
  redis.disconnect();
  console.log('');
  console.log(
    `target tessera redis / tessera memory: ${formatPercent(redisVsMemory)} (goal >= 75%) ${redisVsMemory >= 0.75 ? 'met' : 'MISSED'}`,
  );
  console.log(
    `target tessera redis / express-session + connect-redis: ${formatRatio(redisVsExpress)} (goal >= 4x) ${redisVsExpress >= 4 ? 'met' : 'MISSED'}`,
  );
  console.log(
    `target store writes per validation with no renewal due: ${writesPerRequest.toFixed(4)} (goal 0) ${writesPerRequest === 0 ? 'met' : 'MISSED'}`,
  );
  console.log(
    `redis memory per session (${JSON.stringify(PAYLOAD).length}-byte payload, ${memorySessions} sessions): ` +
      `tessera ${Math.round(memory.tessera)} B (session hash + subject index + sweep-hint share), ` +
      `connect-redis ${Math.round(memory.connectRedis)} B`,
  );
  const file = writeResults('redis', {
    seconds,
    connections,
    rounds: Object.fromEntries(rates),
    redisVsMemory,
    redisVsExpress,
    commandsPerRequest: Object.fromEntries(
      [...commands].map(([name, map]) => [name, Object.fromEntries(map)]),
    ),
    writesPerRequest,
    memoryPerSession: memory,
    payloadBytes: JSON.stringify(PAYLOAD).length,
  });
  console.log(`results: ${file}`);
}

if (process.argv[2] === 'serve') await serveTarget(process.argv[3] ?? 'tessera-redis');
else await main();
