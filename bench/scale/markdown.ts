/**
 * The generated block of the "Scale" section of docs/bench.md: what was run, on what, the chart, the bytes per
 * session, the spread of validate figures and a table per store. The same cells as the console (format.ts).
 */
import { formatRate } from '../lib/table.js';
import type { ScaleSettings } from './config.js';
import { bytesCells, bytesHeaders, SIZE_HEADERS, SPREAD_HEADERS, sizeCells, spreadCells } from './format.js';
import { SCALE_PAYLOAD_BYTES } from './payload.js';
import { type StoreResult, sizeLabel, spreadOf } from './results.js';

export interface RunFacts {
  readonly commit: string | null;
  /** Files of src/ with uncommitted changes when the run started. */
  readonly dirtyFiles: number;
  readonly date: string;
  readonly node: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly minutes: number;
  readonly valid: boolean;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const rule = headers.map((_, index) => (index === 0 ? '---' : '---:'));
  return [line(headers), line(rule), ...rows.map(line)].join('\n');
}

function load(values: readonly number[]): string {
  return values.map((value) => value.toFixed(1)).join(' / ');
}

function runLine(facts: RunFacts, settings: ScaleSettings): string {
  const commit = facts.commit === null ? 'an unknown commit' : `commit \`${facts.commit}\``;
  const dirty =
    facts.dirtyFiles > 0
      ? ` with uncommitted changes to ${facts.dirtyFiles} file${facts.dirtyFiles === 1 ? '' : 's'} of \`src/\` in the working tree`
      : '';
  return (
    `Measured on ${commit}${dirty}, ${facts.date.slice(0, 16).replace('T', ' ')} UTC, in ${facts.minutes.toFixed(0)} min: ` +
    `Node ${facts.node} on ${facts.cpus} × ${facts.cpuModel}, shared with other jobs (load average 1/5/15 min ` +
    `${load(facts.loadBefore)} before, ${load(facts.loadAfter)} after). Command: \`npm run bench -- scale\`` +
    ` (sizes ${settings.sizes.map(sizeLabel).join(', ')}; ${settings.seconds} s of validate load per size in ` +
    `${settings.sliceSeconds} s slices, ${settings.connections} connections, ${formatRate(settings.tokens)} sampled sessions). ` +
    `JSON: \`bench-results/scale-latest.json\`.${facts.valid ? '' : ' **The run reported problems (see the JSON): treat it as invalid.**'}`
  );
}

const METHOD = (settings: ScaleSettings): string[] => [
  '- **One worker per size, the sizes taking turns.** Every size of a store has its own worker process',
  '  (`bench/scale/server.ts`) with a store of its own (a SQLite file, a PostgreSQL schema, a Redis key prefix), all',
  '  alive at once; each serves HTTP exactly as the other HTTP benches do (`HttpSessions` + `authenticateNode` on',
  '  node:http). Every measurement runs the sizes in turns, in an order that shifts every turn, so a burst of',
  '  outside load on this shared machine lands on every size alike instead of spoiling one. A first version',
  '  measured the sizes one after another against a constant reference server; its ratios swung by 60-100%',
  '  between sizes with the machine (and the reference itself) warming up and other jobs coming and going.',
  "- **Fill**: through `SessionManager.create` (the store contract, so the figures hold whatever a store's encoding",
  `  becomes), ${settings.fillConcurrency} creates outstanding, every session with its own subject and the same ${SCALE_PAYLOAD_BYTES}-byte data`,
  '  (`bench/scale/payload.ts`), smallest size first. SQLite fills through a second handle with `synchronous: normal`',
  '  and PostgreSQL through a second pool with `synchronous_commit = off` (no flush wait per fill commit); everything',
  '  measured uses the stores as configured by default. Manager options: 1 day idle, 2 days absolute, so nothing',
  '  expires or renews during a run. Every operation below removes the sessions it makes: each store stays at its size.',
  "- **B/session**, taken right after the fill: memory: V8 heap in use plus ArrayBuffer bytes (the store's number",
  '  columns and off-heap text) after full GCs, minus the same just before the fill (the worker holds nothing else;',
  '  the sampled tokens go to the bench); SQLite: the file after',
  '  `wal_checkpoint(TRUNCATE)` minus the empty file; PostgreSQL: `pg_table_size` + `pg_indexes_size` of every table',
  '  of the schema minus the empty schema (after `ANALYZE`); Redis: `MEMORY USAGE … SAMPLES 0` summed over every key',
  '  under the prefix (the check column: the `INFO used_memory` delta over the fill, server-wide, so other clients and',
  "  Redis's own allocator overhead move it). The peers' figures are issue 13's, with the same payload.",
  `- **validate**: autocannon in the bench's process, ${settings.connections} connections, pipelining 1, \`GET /\` with the cookies of a`,
  `  uniform sample of ${formatRate(settings.tokens)} of the filled sessions (reservoir sampling; each connection cycles through its own share),`,
  '  so every size serves the same number of distinct sessions and what changes is only how many the store holds.',
  `  ${settings.warmupSeconds} s warm-up per size, then ${settings.seconds} s per size in ${settings.sliceSeconds} s slices, the sizes taking turns. req/s, p50`,
  "  and p99 are medians over the slices (p50/p99 from every response's own time in µs). **vs smallest** (req/s and",
  "  p99) is paired: the median over turns of a size's figure over the smallest size's in the same turn. The goal is",
  "  judged on the paired figures; the unpaired medians are shown beside them. CPU µs/req is the worker's own CPU",
  '  time (user + system) per request.',
  `- **create/s**: \`manager.create\` for ${settings.createSeconds} s or ${formatRate(settings.createMost)} sessions in all (${settings.opRounds} turns), ${settings.createConcurrency} outstanding`,
  '  (SQLite: an fsync per create); revoked afterwards, untimed.',
  `  **revoke-all**: \`revokeSubject\` of a subject with ${settings.perSubject} sessions (median of ${settings.revokeRepeats}, a fresh subject each, one per`,
  `  turn). **list**: \`manager.list\` of a subject with ${settings.perSubject} sessions (median of ${settings.opRounds} × ${Math.max(1, Math.round(settings.listRepeats / settings.opRounds))}).`,
  `- **sweep**: ${settings.sweepCounts.map(formatRate).join(' and ')} sessions with a 60 s lifetime are created, then a manager`,
  '  whose injected clock runs an hour ahead calls `sweepExpired(500)` until a call removes less than 500 (what',
  `  \`startSweeper\` does); it must remove exactly those sessions (median of ${settings.opRounds} sweeps per count, one per turn). **sweep µs/expired**: the whole sweep over the`,
  '  sessions it removed (with the count in brackets: a fixed cost per call weighs more on the smaller count);',
  '  **µs/extra expired**: (time of the larger sweep − the smaller) / (difference in sessions), the cost each further',
  '  expired session adds: the same at every size means the sweep costs what expired, not what the store holds.',
  '  **idle sweep**: one call with nothing due.',
  '- The load generator, the worker and (for PostgreSQL and Redis) the database server share the 2 cores, so absolute',
  "  req/s is this machine's; the turns make the sizes comparable with each other, not with another machine.",
  '- Knobs: `SCALE_SIZES` (`1e4,1e5,1e6`; `1e7` runs on SQLite and PostgreSQL only), `SCALE_STORES`, `SCALE_SECONDS` (10),',
  '  `SCALE_SLICE_SECONDS` (1), `SCALE_WARMUP_SECONDS` (2), `SCALE_TOKENS` (10000), `SCALE_FILL_CONCURRENCY` (64),',
  '  `SCALE_OP_ROUNDS` (4), `SCALE_CREATE_SECONDS` (2), `SCALE_CREATE_MAX` (20000), `SCALE_CREATE_CONCURRENCY` (32),',
  '  `SCALE_REVOKE_REPEATS` (5), `SCALE_LIST_REPEATS` (20), `SCALE_SWEEP` (`100,1000`), `BENCH_CONNECTIONS` (10),',
  '  `BENCH_POSTGRES_URL`, `BENCH_REDIS_URL`; `SCALE_DOCS=1` rewrites this block after any run, `0` never (unset: only',
  '  after a run of every store up to 10^6 without problems).',
];

/** The markdown between the markers. */
export function scaleSection(
  stores: readonly StoreResult[],
  settings: ScaleSettings,
  facts: RunFacts,
): string {
  const measured = stores.filter((store) => store.skipped === null && store.sizes.length > 0);
  const parts: string[] = [runLine(facts, settings), ''];
  parts.push('![Validate throughput and p99 latency against live sessions, per store](bench-scale.svg)', '');
  parts.push(`Bytes per session, ${SCALE_PAYLOAD_BYTES}-byte data payload, one subject per session:`, '');
  parts.push(
    table(
      bytesHeaders(settings.sizes),
      measured.map((store) => bytesCells(store, settings.sizes)),
    ),
    '',
  );
  parts.push(
    'Validate over HTTP from the smallest size to the largest: the change at the largest size and, as worst, the largest',
    'distance from the smallest at any size. Paired: medians of per-turn ratios to the smallest size (see below).',
    '',
  );
  parts.push(
    table(
      SPREAD_HEADERS,
      measured.map((store) => spreadCells(store, spreadOf(store.sizes))),
    ),
    '',
  );
  for (const store of stores) {
    parts.push(`#### ${store.label}`, '');
    if (store.skipped !== null) {
      parts.push(`Skipped: ${store.skipped}.`, '');
      continue;
    }
    parts.push(table(SIZE_HEADERS, store.sizes.map(sizeCells)), '');
    if (store.skippedSizes.length > 0) {
      parts.push(
        `Not run on this store: ${store.skippedSizes.map(sizeLabel).join(', ')} (on-disk stores only).`,
        '',
      );
    }
    if (store.error !== null) parts.push(`**Failed part-way:** ${store.error.split('\n')[0]}`, '');
  }
  parts.push('How it is measured:', '', ...METHOD(settings));
  return parts.join('\n');
}
