/**
 * Cost curves as the store grows (issue 13, items 1 and 2): each store (memory, SQLite, PostgreSQL, Redis) is
 * filled to 10^4, 10^5 and 10^6 live sessions with a 188-byte data payload, and at each size the bench measures
 * the bytes per session, validate throughput and p50/p99 latency over HTTP, create throughput, revoke-all and
 * listing of a subject with 100 sessions, and the expiry sweep's cost per expired session. It prints a table per
 * store and the spread of the validate figures from the smallest size to the largest (goal: within 10%), writes
 * bench-results/scale-*.json, and after a full run regenerates docs/bench-scale.svg and the "Scale" section of
 * docs/bench.md.
 * Every size of a store has its own worker, and the sizes take turns under load, so they are compared under the
 * same outside load (this machine is shared).
 * `npm run bench -- scale` (about half an hour; the 10^6 fills dominate). Knobs: see bench/scale/config.ts or the
 * section in docs/bench.md (SCALE_SIZES=1e4,1e5 for a quick run; 1e7 runs on SQLite and PostgreSQL only).
 * Needs PostgreSQL (BENCH_POSTGRES_URL) and Redis (BENCH_REDIS_URL); a store whose server is missing is skipped.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { environment, writeResults } from './lib/results.js';
import { availability } from './scale/availability.js';
import { scaleChart } from './scale/chart.js';
import { LARGEST_IN_RAM, type ScaleSettings, STORE_KINDS, scaleSettings } from './scale/config.js';
import { writeSection } from './scale/docs-section.js';
import { type RunFacts, scaleSection } from './scale/markdown.js';
import { SCALE_PAYLOAD_BYTES } from './scale/payload.js';
import { printStore, printSummary } from './scale/print.js';
import { type StoreResult, sizeLabel, spreadOf } from './scale/results.js';
import { runStore } from './scale/run-store.js';

const root = new URL('../', import.meta.url).pathname;

/** Files of src/ with uncommitted changes (read-only git), so the docs say what was really measured. */
function dirtySourceFiles(): number {
  try {
    const status = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: root,
      encoding: 'utf8',
    });
    return status.split('\n').filter((line) => line.trim() !== '').length;
  } catch {
    return 0;
  }
}

/** Whether this run may rewrite the docs: SCALE_DOCS, or by default a valid run of every store up to 10^6. */
function mayWriteDocs(settings: ScaleSettings, stores: readonly StoreResult[], valid: boolean): boolean {
  if (settings.docs !== 'full-run') return settings.docs === 'always';
  const everyStore = !settings.storesNarrowed && stores.every((store) => store.skipped === null);
  return valid && everyStore && settings.sizes.includes(LARGEST_IN_RAM) && settings.sizes.length >= 2;
}

async function main(): Promise<void> {
  const settings = scaleSettings();
  const started = Date.now();
  const loadBefore = loadavg();
  const dirtyFiles = dirtySourceFiles();
  console.log(
    `scale: stores ${settings.stores.join(', ')}; sizes ${settings.sizes.map(sizeLabel).join(', ')}; ` +
      `${SCALE_PAYLOAD_BYTES}-byte payload; validate ${settings.seconds} s per size in ${settings.sliceSeconds} s ` +
      `slices, the sizes taking turns, ${settings.connections} connections over ${settings.tokens} sampled sessions`,
  );
  const problems: string[] = [];
  const stores: StoreResult[] = [];
  for (const kind of settings.stores) {
    const found = await availability(kind, settings);
    if (!found.ok) {
      console.log(`\n${kind}: skipped: ${found.reason}`);
      stores.push({ kind, label: kind, sizes: [], skippedSizes: [], skipped: found.reason, error: null });
      continue;
    }
    console.log(`\n${found.label}`);
    const result = await runStore(kind, found.label, settings, problems);
    stores.push(result);
    printStore(result);
  }

  printSummary(stores, settings.sizes);
  const valid = problems.length === 0;
  const env = environment();
  const facts: RunFacts = {
    commit: env.commit,
    dirtyFiles,
    date: new Date(started).toISOString(),
    node: env.node,
    cpuModel: env.cpuModel,
    cpus: env.cpus,
    loadBefore,
    loadAfter: loadavg(),
    minutes: (Date.now() - started) / 60_000,
    valid,
  };
  const file = writeResults('scale', {
    settings,
    payloadBytes: SCALE_PAYLOAD_BYTES,
    dirtySourceFiles: dirtyFiles,
    loadAverageBefore: loadBefore,
    loadAverageAfter: facts.loadAfter,
    stores: stores.map((store) => ({ ...store, spread: spreadOf(store.sizes) })),
    storeOrder: STORE_KINDS,
    problems,
    valid,
  });
  console.log(`results: ${file}`);
  if (mayWriteDocs(settings, stores, valid)) {
    const subtitle = `commit ${facts.commit ?? '?'}${dirtyFiles > 0 ? ' (+ working tree)' : ''}, ${facts.date.slice(0, 10)}, ${facts.cpus} cores`;
    writeFileSync(new URL('../docs/bench-scale.svg', import.meta.url), scaleChart(stores, subtitle));
    writeSection(
      new URL('../docs/bench.md', import.meta.url).pathname,
      scaleSection(stores, settings, facts),
    );
    console.log('docs: docs/bench.md (section "Scale") and docs/bench-scale.svg rewritten');
  } else {
    console.log('docs: not rewritten (a partial or invalid run; SCALE_DOCS=1 forces it)');
  }
  if (!valid) {
    console.error(`INVALID bench run:\n${problems.join('\n')}`);
    process.exit(1);
  }
}

await main();
