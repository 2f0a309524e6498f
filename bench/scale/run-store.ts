/**
 * One store through every size: a worker per size (fleet.ts), each filled to its size (smallest first) and its
 * footprint taken at once; then validate over HTTP with the sizes taking turns (validate.ts), then create,
 * revoke-all, list and the sweep, also in turns (turns.ts). The workers and their schemas, keys and files are
 * removed whatever happens.
 */
import { sanityCheck } from '../lib/http-target.js';
import { formatRate } from '../lib/table.js';
import { type ScaleSettings, type ScaleStoreKind, sizesFor } from './config.js';
import { type SizeWorker, startFleet } from './fleet.js';
import type { FillReply, Footprint } from './protocol.js';
import { Reservoir } from './reservoir.js';
import { type SizeResult, type StoreResult, sweepMarginal } from './results.js';
import { measureOperations } from './turns.js';
import { type ValidateTarget, validateSizes } from './validate.js';

interface Filled {
  readonly fill: FillReply;
  readonly footprint: Footprint;
  readonly cookies: string[];
}

async function fillOne(entry: SizeWorker, cookieName: string, settings: ScaleSettings): Promise<Filled> {
  const fill = await entry.worker.call({
    op: 'fill',
    target: entry.size,
    reservoir: settings.tokens,
    concurrency: settings.fillConcurrency,
  });
  const rate = (fill.created * 1000) / Math.max(1, fill.ms);
  console.log(
    `  ${entry.worker.name}: filled ${formatRate(fill.created)} in ${(fill.ms / 1000).toFixed(1)} s (${formatRate(rate)}/s)`,
  );
  const footprint = await entry.worker.call({ op: 'footprint' });
  const reservoir = new Reservoir();
  reservoir.apply(fill.samples);
  const cookies = reservoir.tokens().map((token) => `${cookieName}=${token}`);
  return { fill, footprint, cookies };
}

/** Runs one store through its sizes. A failure is kept in `error`; the sizes are reported only when all ran. */
export async function runStore(
  kind: ScaleStoreKind,
  label: string,
  settings: ScaleSettings,
  problems: string[],
): Promise<StoreResult> {
  const sizes = sizesFor(kind, settings.sizes);
  const skippedSizes = settings.sizes.filter((size) => !sizes.includes(size));
  const results: SizeResult[] = [];
  let error: string | null = null;
  let fleet: Awaited<ReturnType<typeof startFleet>> | null = null;
  try {
    fleet = await startFleet(kind, sizes, settings);
    const filled = new Map<number, Filled>();
    const targets: ValidateTarget[] = [];
    for (const entry of fleet.workers) {
      const { cookieName } = await entry.worker.call({ op: 'info' });
      const done = await fillOne(entry, cookieName, settings);
      filled.set(entry.size, done);
      targets.push({ ...entry, cookies: done.cookies });
      const check = await sanityCheck(entry.worker.port, done.cookies[0] ?? '');
      if (check.withCookie !== 200 || check.withoutCookie !== 401) {
        problems.push(
          `${entry.worker.name}: sanity check ${check.withCookie}/${check.withoutCookie} (want 200/401)`,
        );
      }
    }
    const validate = await validateSizes(targets, settings, problems);
    const operations = await measureOperations(fleet.workers, settings);
    for (const { size } of fleet.workers) {
      const { fill, footprint } = filled.get(size) as Filled;
      const ops = operations.get(size);
      const figures = validate.get(size);
      if (ops === undefined || figures === undefined) throw new Error(`no figures for ${size}`);
      results.push({
        size,
        live: fill.live,
        fill: { created: fill.created, ms: fill.ms, perSecond: (fill.created * 1000) / Math.max(1, fill.ms) },
        footprint,
        bytesPerSession: footprint.bytes / fill.live,
        checkBytesPerSession: footprint.check === null ? null : footprint.check.bytes / fill.live,
        validate: figures,
        create: ops.create,
        revokeAllMs: ops.revokeAllMs,
        listMs: ops.listMs,
        sweep: ops.sweep.map((round) => ({ ...round, usPerSession: (round.ms * 1000) / round.expired })),
        sweepMarginalUs: sweepMarginal(ops.sweep),
        idleSweepMs: ops.idleSweepMs,
      });
    }
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
    problems.push(`${kind}: ${error}`);
  } finally {
    await fleet?.stop();
  }
  return { kind, label, sizes: results, skippedSizes, skipped: null, error };
}
