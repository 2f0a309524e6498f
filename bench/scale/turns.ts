/**
 * Create throughput, revoke-all, list and the sweep on every size of one store, the sizes taking turns (in an
 * order that shifts every turn), as the validate slices do: a burst of outside load then lands on every size
 * alike instead of spoiling one. Each call is one request to a size's worker (server.ts); every operation
 * removes the sessions it makes, so each store stays at its size.
 */
import { median } from '../lib/harness.js';
import type { ScaleSettings } from './config.js';
import type { SizeWorker } from './fleet.js';
import type { SweepRound } from './protocol.js';
import { type Timing, timing } from './results.js';

export interface OperationFigures {
  readonly create: { readonly created: number; readonly ms: number; readonly perSecond: number };
  readonly revokeAllMs: Timing;
  readonly listMs: Timing;
  readonly sweep: readonly SweepRound[];
  readonly idleSweepMs: number;
}

/** Calls `step(worker, turn)` for every worker, `turns` times, the starting worker shifting by one each turn. */
async function inTurns(
  workers: readonly SizeWorker[],
  turns: number,
  step: (entry: SizeWorker, turn: number) => Promise<void>,
): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) {
    for (let offset = 0; offset < workers.length; offset += 1) {
      await step(workers[(offset + turn) % workers.length] as SizeWorker, turn);
    }
  }
}

function perSize<T>(workers: readonly SizeWorker[], make: () => T): Map<number, T> {
  return new Map(workers.map((entry) => [entry.size, make()]));
}

/** The round of median time (the upper one of an even count). */
function medianRound(rounds: readonly SweepRound[]): SweepRound {
  const sorted = [...rounds].sort((a, b) => a.ms - b.ms);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('sweep: no rounds');
  return middle;
}

export async function measureOperations(
  workers: readonly SizeWorker[],
  settings: ScaleSettings,
): Promise<Map<number, OperationFigures>> {
  const turns = settings.opRounds;
  const created = perSize(workers, () => ({ created: 0, ms: 0 }));
  await inTurns(workers, turns, async ({ size, worker }, turn) => {
    const reply = await worker.call({
      op: 'create-rate',
      seconds: settings.createSeconds / turns,
      most: Math.ceil(settings.createMost / turns),
      concurrency: settings.createConcurrency,
      tag: `c${turn}`,
    });
    const sum = created.get(size) as { created: number; ms: number };
    sum.created += reply.created;
    sum.ms += reply.ms;
  });

  const revokes = perSize<number[]>(workers, () => []);
  await inTurns(workers, settings.revokeRepeats, async ({ size, worker }, turn) => {
    const reply = await worker.call({
      op: 'revoke-all',
      repeats: 1,
      perSubject: settings.perSubject,
      tag: `r${turn}`,
    });
    revokes.get(size)?.push(...reply.ms);
  });

  const lists = perSize<number[]>(workers, () => []);
  const listsPerTurn = Math.max(1, Math.round(settings.listRepeats / turns));
  await inTurns(workers, turns, async ({ size, worker }, turn) => {
    const reply = await worker.call({
      op: 'list',
      repeats: listsPerTurn,
      perSubject: settings.perSubject,
      tag: `l${turn}`,
    });
    lists.get(size)?.push(...reply.ms);
  });

  // Each count once per turn; per count the median sweep is kept (one sweep alone is at the mercy of a burst).
  const sweeps = perSize<SweepRound[]>(workers, () => []);
  const idle = perSize<number[]>(workers, () => []);
  await inTurns(workers, turns, async ({ size, worker }, turn) => {
    const reply = await worker.call({ op: 'sweep', counts: settings.sweepCounts, tag: `w${turn}` });
    sweeps.get(size)?.push(...reply.rounds);
    idle.get(size)?.push(reply.idleMs);
  });

  const figures = new Map<number, OperationFigures>();
  for (const { size } of workers) {
    const sum = created.get(size) as { created: number; ms: number };
    figures.set(size, {
      create: { ...sum, perSecond: (sum.created * 1000) / Math.max(1, sum.ms) },
      revokeAllMs: timing(revokes.get(size) ?? []),
      listMs: timing(lists.get(size) ?? []),
      sweep: settings.sweepCounts.map((count) =>
        medianRound((sweeps.get(size) ?? []).filter((round) => round.expired === count)),
      ),
      idleSweepMs: median(idle.get(size) ?? []),
    });
  }
  return figures;
}
