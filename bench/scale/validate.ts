/**
 * Validate over HTTP, every size of one store at once: each size's worker is a target of the interleaved
 * slices (bench/lib/slices.ts), so the sizes take turns, in an order that shifts every slice, and a burst of
 * outside load lands on all of them alike. The paired ratios compare each size with the smallest in the same
 * turn; they are what the flat-curve goal is judged on.
 */
import type { Slice, SliceSettings } from '../lib/slices.js';
import { median } from '../lib/harness.js';
import { pairedRatio, runSlices, summarize } from '../lib/slices.js';
import type { ScaleSettings } from './config.js';
import type { SizeWorker } from './fleet.js';
import type { ValidateFigures } from './results.js';

export interface ValidateTarget extends SizeWorker {
  /** `<cookie name>=<token>` of the sampled sessions of this size. */
  readonly cookies: readonly string[];
}

function sliceSettings(settings: ScaleSettings): SliceSettings {
  return {
    seconds: settings.seconds,
    sliceSeconds: settings.sliceSeconds,
    warmupSeconds: settings.warmupSeconds,
    connections: settings.connections,
    rounds: 1,
  };
}

/** Median over turns of `name`'s p99 over `base`'s p99 in the same turn. */
function pairedP99(slices: Map<string, Slice[]>, name: string, base: string): number {
  const theirs = slices.get(base) ?? [];
  return median((slices.get(name) ?? []).map((part, index) => part.p99 / (theirs[index]?.p99 ?? Number.NaN)));
}

/** Validate figures per size (keyed by size). Failed requests go to `problems`. */
export async function validateSizes(
  targets: readonly ValidateTarget[],
  settings: ScaleSettings,
  problems: string[],
): Promise<Map<number, ValidateFigures>> {
  const smallest = targets[0];
  if (smallest === undefined) return new Map();
  const slices = await runSlices(
    targets.map((target) => ({ name: target.label, server: target.worker, cookie: target.cookies })),
    sliceSettings(settings),
    problems,
  );
  const figures = new Map<number, ValidateFigures>();
  for (const target of targets) {
    const own = slices.get(target.label) ?? [];
    figures.set(target.size, {
      ...summarize(own),
      slices: own.length,
      vsSmallest: pairedRatio(slices, target.label, smallest.label),
      p99VsSmallest: pairedP99(slices, target.label, smallest.label),
    });
  }
  return figures;
}
