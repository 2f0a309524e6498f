/**
 * The workers of one store, one per size, alive at the same time so the sizes can take turns under load (the
 * comparison the goal is about, with machine drift landing on every size alike). Each has a store of its own: a
 * SQLite file, a PostgreSQL schema or a Redis key prefix named after this process and the size. `stop` closes
 * them and then removes every schema, prefix and file again from here, so a worker that died leaves nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeLeftovers } from './cleanup.js';
import type { ScaleSettings, ScaleStoreKind } from './config.js';
import type { WorkerConfig } from './protocol.js';
import { sizeLabel } from './results.js';
import { type ScaleWorker, startWorker } from './worker.js';

export interface SizeWorker {
  readonly size: number;
  /** `10⁴`: the size as the tables and the slices name it. */
  readonly label: string;
  readonly worker: ScaleWorker;
}

export interface Fleet {
  readonly workers: readonly SizeWorker[];
  stop(): Promise<void>;
}

/**
 * V8 flags of every worker. The young generation is pinned at its usual maximum (16 MB semi-spaces): V8 sizes it
 * by the process's history, and its memory reducer shrinks it in a process left idle for 8 s, which the smaller
 * sizes' workers are while the larger ones fill; a worker's CPU per request should not depend on how long it
 * waited (an unpinned A/A run of three equal memory stores measured 9.7k, 10.3k and 11.3k req/s in start order,
 * CPU per request falling in the same order). The memory store's worker also gets heap room for its sessions
 * and the fill's garbage, with margin.
 */
function execArgvFor(kind: ScaleStoreKind, size: number): string[] {
  const flags = ['--min-semi-space-size=16', '--max-semi-space-size=16'];
  if (kind !== 'memory') return flags;
  const mib = Math.max(1024, Math.ceil((size * 4096) / 2 ** 20));
  return [...flags, `--max-old-space-size=${mib}`];
}

function configFor(
  kind: ScaleStoreKind,
  size: number,
  settings: ScaleSettings,
  dir: string | null,
): WorkerConfig {
  return {
    kind,
    sqlitePath: dir === null ? '' : join(dir, `sessions-${size}.sqlite`),
    postgresUrl: settings.postgresUrl,
    schema: `scale_${process.pid}_${size}`,
    redisUrl: settings.redisUrl,
    prefix: redisPrefix(size),
  };
}

/**
 * A Redis key prefix of this process and size, exactly as long as the default `tessera:` (8 characters), so
 * key names, and with them bytes per session, are what a default store has: 3 base-36 characters of the pid, 4
 * of the size (sizes differ in them up to 1,679,615 apart), and the colon.
 */
export function redisPrefix(size: number): string {
  const pid = (process.pid % 36 ** 3).toString(36).padStart(3, '0');
  return `${pid}${(size % 36 ** 4).toString(36).padStart(4, '0')}:`;
}

/** Starts one worker per size (ascending). If one fails to start, those already started are stopped. */
export async function startFleet(
  kind: ScaleStoreKind,
  sizes: readonly number[],
  settings: ScaleSettings,
): Promise<Fleet> {
  const dir = kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'tessera-scale-')) : null;
  const configs = sizes.map((size) => configFor(kind, size, settings, dir));
  const workers: SizeWorker[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(workers.map((entry) => entry.worker.stop()));
    for (const config of configs) {
      if (kind === 'postgres')
        await removeLeftovers({ postgresUrl: config.postgresUrl, schema: config.schema });
      if (kind === 'redis') await removeLeftovers({ redisUrl: config.redisUrl, prefix: config.prefix });
    }
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [index, size] of sizes.entries()) {
      const label = sizeLabel(size);
      const config = configs[index] as WorkerConfig;
      const worker = await startWorker(`${kind} ${label}`, config, execArgvFor(kind, size));
      workers.push({ size, label, worker });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { workers, stop };
}
