/**
 * Micro figures for the session engine: create, validate (no store write), validate with renewal (one store
 * write per call), authenticate (cookie parsing + validate, the HTTP path without the network) and rotate, on
 * every store in the tree, plus the floor server's per-request check for context. Sequential awaits in one
 * process: cost per operation, not concurrency. All cases run in interleaved rounds, so ratios are paired.
 * Knobs: BENCH_WARMUP_MS, BENCH_ROUNDS, BENCH_ROUND_MS (see bench/lib/harness.ts).
 */
import { cpus, loadavg } from 'node:os';
import { manualClock } from '../src/core/clock.js';
import { createTessera, type SessionManager } from '../src/core/manager.js';
import type { TesseraOptions } from '../src/core/options.js';
import { HttpSessions } from '../src/transport/http-sessions.js';
import type { RequestFacts } from '../src/transport/request.js';
import { type BenchCase, type Measurement, measureAll, type Operation, pairedRatio } from './lib/harness.js';
import { writeResults } from './lib/results.js';
import { availableStores, type OpenedStore, openStore, type StoreKind } from './lib/stores.js';
import { formatMicros, formatPercent, formatRate, formatRatio, printTable } from './lib/table.js';
import { FloorSessions } from './servers/floor-check.js';

const SESSIONS = 1000;
const FLOOR = 'floor check (reference)';

interface Case extends BenchCase {
  readonly operation: string;
  readonly store: StoreKind | 'none';
}

const opened: OpenedStore[] = [];

async function open(kind: StoreKind): Promise<OpenedStore> {
  const store = await openStore(kind);
  opened.push(store);
  return store;
}

async function seeded(
  kind: StoreKind,
  options: Omit<TesseraOptions, 'store'> = {},
): Promise<{ manager: SessionManager; tokens: string[] }> {
  const { store } = await open(kind);
  const manager = createTessera({ ...options, store });
  const tokens: string[] = [];
  for (let i = 0; i < SESSIONS; i += 1) {
    tokens.push((await manager.create({ subject: `user-${i}`, data: { role: 'member' } })).token);
  }
  return { manager, tokens };
}

function fail(what: string): never {
  throw new Error(`${what} failed during the bench: the figures would be meaningless`);
}

function requestWithCookie(cookie: string): RequestFacts {
  const headers: Record<string, string> = { cookie, 'user-agent': 'bench/1.0' };
  return { method: 'GET', url: '/', header: (name) => headers[name] ?? null, ip: '127.0.0.1' };
}

function storeCases(kind: StoreKind): Case[] {
  const storeCase = (operation: string, setup: () => Promise<Operation>, fresh = false): Case => ({
    name: `${operation} [${kind}]`,
    operation,
    store: kind,
    setup,
    freshEachRound: fresh,
  });
  // create gets a fresh store every round so the store's size (and the heap) stays comparable across rounds.
  let createStore: OpenedStore | null = null;
  return [
    storeCase(
      'create',
      async () => {
        await createStore?.close();
        createStore = await openStore(kind);
        const manager = createTessera({ store: createStore.store });
        opened.push(createStore);
        return (i) => manager.create({ subject: `user-${i % SESSIONS}`, data: { role: 'member' } });
      },
      true,
    ),
    storeCase('validate', async () => {
      const { manager, tokens } = await seeded(kind);
      return async (i) => {
        const result = await manager.validate(tokens[i % SESSIONS]);
        // Default settings and a real clock: no renewal happens inside a bench run.
        if (!result.ok || result.renewed) fail('validate');
      };
    }),
    storeCase('validate + renewal', async () => {
      // A manual clock moving 2 ms per call and a renewal threshold of 1.8 ms: every call writes to the store.
      const clock = manualClock(Date.now());
      const { manager, tokens } = await seeded(kind, {
        clock,
        renewalFraction: 1e-6,
        absoluteTimeout: 30 * 24 * 3600,
      });
      return async (i) => {
        clock.advance(2);
        const result = await manager.validate(tokens[i % SESSIONS]);
        if (!result.ok || !result.renewed) fail('validate with renewal');
      };
    }),
    storeCase('authenticate (cookie)', async () => {
      const { manager, tokens } = await seeded(kind);
      const sessions = new HttpSessions(manager, { cookie: { development: true } });
      const requests = tokens.map((token) => requestWithCookie(`other=1; ${sessions.cookie.name}=${token}`));
      return async (i) => {
        const auth = await sessions.authenticate(requests[i % SESSIONS] as RequestFacts);
        if (!auth.result.ok) fail('authenticate');
      };
    }),
    storeCase('rotate', async () => {
      const { manager, tokens } = await seeded(kind);
      return async (i) => {
        const index = i % SESSIONS;
        const result = await manager.rotate(tokens[index]);
        if (!result.ok) fail('rotate');
        tokens[index] = result.token;
      };
    }),
  ];
}

/** What the floor HTTP server does per request (bench/servers/floor-check.ts), from the Cookie header. */
const floorCase: Case = {
  name: FLOOR,
  operation: FLOOR,
  store: 'none',
  setup() {
    const sessions = new FloorSessions();
    const headers = Array.from(
      { length: SESSIONS },
      (_, i) => `other=1; ${sessions.login(`user-${i}`).split(';')[0] as string}`,
    );
    return (i) => {
      if (sessions.check(headers[i % SESSIONS]) === null) fail('floor check');
    };
  },
};

const stores = availableStores();
const [load1] = loadavg();
console.log(`micro: stores ${stores.join(', ')}; ${SESSIONS} sessions cycled per operation`);
if (!stores.includes('sqlite')) console.log('micro: SqliteStore not in this tree: skipped');
if ((load1 ?? 0) > cpus().length / 2) {
  console.log(`micro: load average ${load1?.toFixed(2)} on ${cpus().length} CPUs: figures will be noisy`);
}

const cases: Case[] = [...stores.flatMap(storeCases), floorCase];
let results: Measurement[];
try {
  results = await measureAll(cases);
} finally {
  await Promise.all(opened.map((store) => store.close()));
}
const rows = cases.map((benchCase, index) => ({ ...benchCase, measurement: results[index] as Measurement }));
const find = (operation: string, store: string): Measurement | undefined =>
  rows.find((row) => row.operation === operation && row.store === store)?.measurement;
const ratio = (measurement: Measurement, base: Measurement | undefined): number =>
  base === undefined ? Number.NaN : pairedRatio(measurement, base);

console.log('');
printTable(
  ['operation', 'store', 'ops/s', 'µs/op', 'IQR', 'best ops/s', 'vs memory', 'vs validate', 'vs floor'],
  rows.map(({ operation, store, measurement }) => [
    operation,
    store,
    formatRate(measurement.opsPerSec),
    formatMicros(measurement.usPerOp),
    formatPercent(measurement.spread),
    formatRate(measurement.best),
    store === 'none' ? '-' : formatRatio(ratio(measurement, find(operation, 'memory'))),
    store === 'none' ? '-' : formatRatio(ratio(measurement, find('validate', store))),
    formatPercent(ratio(measurement, find(FLOOR, 'none'))),
  ]),
);
console.log(
  `ops/s: median of ${results[0]?.rounds.length ?? 0} interleaved rounds; IQR: interquartile range of the ` +
    'rounds over the median; ratios: median of per-round ratios.',
);

const file = writeResults('micro', {
  sessions: SESSIONS,
  results: rows.map(({ operation, store, measurement }) => ({
    operation,
    store,
    opsPerSec: Math.round(measurement.opsPerSec),
    usPerOp: measurement.usPerOp,
    best: Math.round(measurement.best),
    iqr: measurement.spread,
    vsMemory: store === 'none' ? null : ratio(measurement, find(operation, 'memory')),
    vsValidate: store === 'none' ? null : ratio(measurement, find('validate', store)),
    vsFloor: ratio(measurement, find(FLOOR, 'none')),
    rounds: measurement.rounds.map(Math.round),
  })),
  skipped: stores.includes('sqlite') ? [] : ['sqlite'],
});
console.log(`results: ${file}`);
