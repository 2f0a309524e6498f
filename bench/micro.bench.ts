/**
 * Micro figures for the session engine: create, validate (no store write), validate with renewal (one store
 * write per call) and rotate, on every store in the tree, plus the floor server's per-request check (HMAC over a
 * random id + Map lookup) for context. Sequential awaits in one process: this is cost per operation, not
 * concurrency. Knobs: BENCH_WARMUP_MS, BENCH_ROUNDS, BENCH_ROUND_MS (see bench/lib/harness.ts).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { manualClock } from '../src/core/clock.js';
import { createTessera, type SessionManager } from '../src/core/manager.js';
import type { TesseraOptions } from '../src/core/options.js';
import { type Measurement, measure, type Operation } from './lib/harness.js';
import { writeResults } from './lib/results.js';
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

/** What the floor HTTP server does per request: HMAC-SHA256 over the id, constant-time compare, Map lookup. */
async function benchFloorCheck(): Promise<Row> {
  const measurement = await measure('floor check', () => {
    const key = randomBytes(32);
    const sessions = new Map<string, { subject: string }>();
    const cookies: string[] = [];
    for (let i = 0; i < SESSIONS; i += 1) {
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, { subject: `user-${i}` });
      cookies.push(`${id}.${createHmac('sha256', key).update(id).digest('base64url')}`);
    }
    return (i) => {
      const cookie = cookies[i % SESSIONS] as string;
      const dot = cookie.indexOf('.');
      const id = cookie.slice(0, dot);
      const expected = createHmac('sha256', key).update(id).digest();
      const given = Buffer.from(cookie.slice(dot + 1), 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected) || !sessions.has(id)) {
        throw new Error('floor check failed');
      }
    };
  });
  console.log(
    `  ${'floor check (reference)'.padEnd(24)} ${'none'.padEnd(7)} ${formatRate(measurement.opsPerSec)} ops/s`,
  );
  return { operation: 'floor check (reference)', store: 'none', measurement };
}

const stores = availableStores();
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
  ['operation', 'store', 'ops/s', 'µs/op', 'spread', 'vs memory', 'vs validate'],
  rows.map(({ operation, store, measurement }) => [
    operation,
    store,
    formatRate(measurement.opsPerSec),
    formatMicros(measurement.usPerOp),
    `±${formatPercent(measurement.spread)}`,
    store === 'none' ? '-' : formatRatio(measurement.opsPerSec / opsOf(operation, 'memory')),
    store === 'none' ? '-' : formatRatio(measurement.opsPerSec / opsOf('validate', store)),
  ]),
);
console.log('spread: largest distance of a round from the median; ratios compare medians.');

const file = writeResults('micro', {
  sessions: SESSIONS,
  results: rows.map(({ operation, store, measurement }) => ({
    operation,
    store,
    opsPerSec: Math.round(measurement.opsPerSec),
    usPerOp: measurement.usPerOp,
    spread: measurement.spread,
    rounds: measurement.rounds.map(Math.round),
  })),
  skipped: sqliteAvailable() ? [] : ['sqlite'],
});
console.log(`results: ${file}`);
