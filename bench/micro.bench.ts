/**
 * Micro figures for the session engine: create, validate (no store write), validate with renewal (one store
 * write per call) and rotate, on every store in the tree, plus the floor server's per-request check (HMAC over a
 * random id + Map lookup) for context. Sequential awaits in one process: this is cost per operation, not
 * concurrency. Knobs: BENCH_WARMUP_MS, BENCH_ROUNDS, BENCH_ROUND_MS (see bench/lib/harness.ts).
 */
import { cpus, loadavg } from 'node:os';
import { manualClock } from '../src/core/clock.js';
import { createTessera, type SessionManager } from '../src/core/manager.js';
import type { TesseraOptions } from '../src/core/options.js';
import { HttpSessions } from '../src/transport/http-sessions.js';
import type { RequestFacts } from '../src/transport/request.js';
import { type Measurement, measure, type Operation } from './lib/harness.js';
import { writeResults } from './lib/results.js';
import { FloorSessions } from './servers/floor-check.js';
import {
  availableStores,
  type OpenedStore,
  openStore,
  type StoreKind,
  sqliteAvailable,
} from './lib/stores.js';
import { formatMicros, formatPercent, formatRate, formatRatio, printTable } from './lib/table.js';

const SESSIONS = 1000;

interface Row {
  operation: string;
  store: StoreKind | 'none';
  measurement: Measurement;
}

/** Keeps at most one store open per bench: opening the next closes (and deletes) the last. */
class StoreSlot {
  #current: OpenedStore | null = null;
  async open(kind: StoreKind): Promise<OpenedStore> {
    await this.close();
    this.#current = await openStore(kind);
    return this.#current;
  }
  async close(): Promise<void> {
    await this.#current?.close();
    this.#current = null;
  }
}

async function seeded(
  slot: StoreSlot,
  kind: StoreKind,
  options: Omit<TesseraOptions, 'store'> = {},
): Promise<{ manager: SessionManager; tokens: string[] }> {
  const { store } = await slot.open(kind);
  const manager = createTessera({ ...options, store });
  const tokens: string[] = [];
  for (let i = 0; i < SESSIONS; i += 1) {
    tokens.push((await manager.create({ subject: `user-${i}`, data: { role: 'member' } })).token);
  }
  return { manager, tokens };
}

function requestWithCookie(cookie: string): RequestFacts {
  const headers: Record<string, string> = { cookie, 'user-agent': 'bench/1.0' };
  return { method: 'GET', url: '/', header: (name) => headers[name] ?? null, ip: '127.0.0.1' };
}

function mustBeOk(result: { ok: boolean }, what: string): void {
  if (!result.ok) throw new Error(`${what} failed during the bench: the figures would be meaningless`);
}

async function benchStore(kind: StoreKind): Promise<Row[]> {
  const slot = new StoreSlot();
  const rows: Row[] = [];
  const run = async (operation: string, setup: () => Promise<Operation>): Promise<void> => {
    const measurement = await measure(`${operation} [${kind}]`, setup);
    rows.push({ operation, store: kind, measurement });
    console.log(`  ${operation.padEnd(24)} ${kind.padEnd(7)} ${formatRate(measurement.opsPerSec)} ops/s`);
  };

  await run('create', async () => {
    const { store } = await slot.open(kind);
    const manager = createTessera({ store });
    return (i) => manager.create({ subject: `user-${i % SESSIONS}`, data: { role: 'member' } });
  });

  await run('validate', async () => {
    const { manager, tokens } = await seeded(slot, kind);
    return async (i) => {
      const result = await manager.validate(tokens[i % SESSIONS]);
      // Default settings and a real clock: no renewal happens inside a bench run.
      if (!result.ok || result.renewed) mustBeOk({ ok: false }, 'validate');
    };
  });

  await run('validate + renewal', async () => {
    // A manual clock that moves 2 ms per call and a renewal threshold of 1.8 ms: every call writes to the store.
    const clock = manualClock(Date.now());
    const { manager, tokens } = await seeded(slot, kind, {
      clock,
      renewalFraction: 1e-6,
      absoluteTimeout: 30 * 24 * 3600,
    });
    return async (i) => {
      clock.advance(2);
      const result = await manager.validate(tokens[i % SESSIONS]);
      if (!result.ok || !result.renewed) mustBeOk({ ok: false }, 'validate with renewal');
    };
  });

  await run('authenticate (cookie)', async () => {
    // The whole HTTP-facing path minus the network: token source, cookie parsing, validate, result.
    const { manager, tokens } = await seeded(slot, kind);
    const sessions = new HttpSessions(manager, { cookie: { development: true } });
    const requests = tokens.map((token) => requestWithCookie(`other=1; ${sessions.cookie.name}=${token}`));
    return async (i) => {
      const auth = await sessions.authenticate(requests[i % SESSIONS] as RequestFacts);
      mustBeOk(auth.result, 'authenticate');
    };
  });

  await run('rotate', async () => {
    const { manager, tokens } = await seeded(slot, kind);
    return async (i) => {
      const slotIndex = i % SESSIONS;
      const result = await manager.rotate(tokens[slotIndex]);
      mustBeOk(result, 'rotate');
      if (result.ok) tokens[slotIndex] = result.token;
    };
  });

  await slot.close();
  return rows;
}

/** What the floor HTTP server does per request (bench/servers/floor-check.ts), from the Cookie header. */
async function benchFloorCheck(): Promise<Row> {
  const measurement = await measure('floor check', () => {
    const sessions = new FloorSessions();
    const headers: string[] = [];
    for (let i = 0; i < SESSIONS; i += 1) {
      headers.push(`other=1; ${sessions.login(`user-${i}`).split(';')[0] as string}`);
    }
    return (i) => {
      if (sessions.check(headers[i % SESSIONS]) === null) throw new Error('floor check failed');
    };
  });
  const label = 'floor check (reference)';
  console.log(`  ${label.padEnd(24)} ${'none'.padEnd(7)} ${formatRate(measurement.opsPerSec)} ops/s`);
  return { operation: label, store: 'none', measurement };
}

const stores = availableStores();
const [load1] = loadavg();
if ((load1 ?? 0) > cpus().length / 2) {
  console.log(
    `micro: load average ${load1?.toFixed(2)} on ${cpus().length} CPUs: other work is running, figures will be noisy`,
  );
}
console.log(`micro: stores ${stores.join(', ')}; ${SESSIONS} sessions cycled per operation`);
if (!sqliteAvailable())
  console.log('micro: SqliteStore not in this tree (src/stores/sqlite/index.ts): skipped');
const rows: Row[] = [];
for (const kind of stores) rows.push(...(await benchStore(kind)));
rows.push(await benchFloorCheck());

const opsOf = (operation: string, store: string): number =>
  rows.find((row) => row.operation === operation && row.store === store)?.measurement.opsPerSec ?? Number.NaN;

console.log('');
printTable(
  ['operation', 'store', 'ops/s', 'µs/op', 'IQR', 'best ops/s', 'vs memory', 'vs validate'],
  rows.map(({ operation, store, measurement }) => [
    operation,
    store,
    formatRate(measurement.opsPerSec),
    formatMicros(measurement.usPerOp),
    formatPercent(measurement.spread),
    formatRate(measurement.best),
    store === 'none' ? '-' : formatRatio(measurement.opsPerSec / opsOf(operation, 'memory')),
    store === 'none' ? '-' : formatRatio(measurement.opsPerSec / opsOf('validate', store)),
  ]),
);
console.log(
  `ops/s: median of ${rows[0]?.measurement.rounds.length ?? 0} rounds; IQR: interquartile range of the rounds ` +
    'over the median; ratios compare medians.',
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
    rounds: measurement.rounds.map(Math.round),
  })),
  skipped: sqliteAvailable() ? [] : ['sqlite'],
});
console.log(`results: ${file}`);
