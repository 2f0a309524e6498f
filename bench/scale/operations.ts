/**
 * What the scale worker does to its store, through `SessionManager` as an application would: fill it, and time
 * create throughput, revoke-all and listing of a subject with 100 sessions, and the expiry sweep.
 * Every session carries the 188-byte payload; fill sessions each have their own subject (one user, one session).
 */
import { createTessera, type SessionManager } from '../../src/core/manager.js';
import type { TesseraOptions } from '../../src/core/options.js';
import type { SessionStore } from '../../src/core/store.js';
import { median } from '../lib/harness.js';
import { SCALE_PAYLOAD } from './payload.js';
import type { SweepRound } from './protocol.js';

/**
 * The manager options of every scale session: a day of idle time and two of absolute lifetime, so no session
 * expires or is renewed (renewal after a tenth of the idle time: 2.4 h) while a large store is being filled and
 * measured. Validation does the same work either way; only the write of a renewal is kept out of the figures.
 */
export const SCALE_MANAGER_OPTIONS = {
  idleTimeout: 86_400,
  absoluteTimeout: 172_800,
} as const satisfies Omit<TesseraOptions, 'store'>;

/** Lifetime of the sessions made to expire for the sweep, and how far the sweeping manager's clock runs ahead. */
const SWEEP_LIFETIME_S = 60;
const SWEEP_CLOCK_AHEAD_MS = 3_600_000;
/** Sessions per `sweepExpired` call, the manager's `startSweeper` default. */
const SWEEP_BATCH = 500;

/** Runs `task(0) … task(count - 1)` with at most `concurrency` outstanding. */
export async function runConcurrent(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
}

/** Creates `count` fill sessions numbered from `first` (subject `user-<n>@example.com`); `onToken` sees each. */
export async function fill(
  manager: SessionManager,
  first: number,
  count: number,
  concurrency: number,
  onToken: (index: number, token: string) => void,
): Promise<void> {
  await runConcurrent(count, concurrency, async (offset) => {
    const index = first + offset;
    const issued = await manager.create({ subject: `user-${index}@example.com`, data: SCALE_PAYLOAD });
    onToken(index, issued.token);
  });
}

/**
 * Creates sessions for `seconds` or until `most` are made, with `concurrency` outstanding; returns how many and
 * the time of the creates alone. They are then revoked (untimed), so the store keeps the size it was filled to
 * and every size's worker measures creates at its own size.
 */
export async function createFor(
  manager: SessionManager,
  seconds: number,
  most: number,
  concurrency: number,
  tag: string,
): Promise<{ created: number; ms: number }> {
  const tokens: string[] = [];
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let started = 0;
  const lane = async (id: number): Promise<void> => {
    for (let n = 0; started < most && performance.now() < deadline; n += 1) {
      started += 1;
      const issued = await manager.create({
        subject: `${tag}-create-${id}-${n}@example.com`,
        data: SCALE_PAYLOAD,
      });
      tokens.push(issued.token);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, id) => lane(id)));
  const ms = performance.now() - start;
  await runConcurrent(tokens.length, concurrency, async (index) => {
    if (!(await manager.revoke(tokens[index])))
      throw new Error('create-rate: a created session could not be revoked');
  });
  return { created: tokens.length, ms };
}

async function subjectWith(manager: SessionManager, subject: string, sessions: number): Promise<void> {
  await runConcurrent(sessions, 16, async () => {
    await manager.create({ subject, data: SCALE_PAYLOAD });
  });
}

/** Times `revokeSubject` of a subject with `perSubject` sessions, `repeats` times, each on a fresh subject. */
export async function revokeAll(
  manager: SessionManager,
  repeats: number,
  perSubject: number,
  tag: string,
): Promise<number[]> {
  const times: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const subject = `${tag}-revoke-${repeat}@example.com`;
    await subjectWith(manager, subject, perSubject);
    const start = performance.now();
    const ended = await manager.revokeSubject(subject);
    times.push(performance.now() - start);
    if (ended !== perSubject) throw new Error(`revoke-all ended ${ended} sessions, not ${perSubject}`);
  }
  return times;
}

/** Times `list` of one subject with `perSubject` sessions, after one untimed call; the subject is revoked after. */
export async function listSubject(
  manager: SessionManager,
  repeats: number,
  perSubject: number,
  tag: string,
): Promise<number[]> {
  const subject = `${tag}-list@example.com`;
  await subjectWith(manager, subject, perSubject);
  await manager.list(subject);
  const times: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const start = performance.now();
    const sessions = await manager.list(subject);
    times.push(performance.now() - start);
    if (sessions.length !== perSubject)
      throw new Error(`list gave ${sessions.length} sessions, not ${perSubject}`);
  }
  await manager.revokeSubject(subject);
  return times;
}

/**
 * For each count: creates that many sessions with a 60 s lifetime (each its own subject), then sweeps with a
 * manager whose clock runs an hour ahead (an injected clock: nothing waits), calling `sweepExpired` until a
 * call removes less than a batch, as `startSweeper` does. Only those sessions are due at that time; the sweep
 * must remove exactly them. Also times a sweep call when nothing is due.
 */
export async function sweep(
  store: SessionStore,
  counts: readonly number[],
  tag: string,
): Promise<{ rounds: SweepRound[]; idleMs: number }> {
  const shortLived = createTessera({
    store,
    idleTimeout: SWEEP_LIFETIME_S,
    absoluteTimeout: SWEEP_LIFETIME_S,
  });
  const sweeper = createTessera({
    ...SCALE_MANAGER_OPTIONS,
    store,
    clock: () => Date.now() + SWEEP_CLOCK_AHEAD_MS,
  });
  // One untimed call first: statements prepared, scripts loaded, code compiled.
  await sweeper.sweepExpired(SWEEP_BATCH);
  const rounds: SweepRound[] = [];
  for (const count of counts) {
    await runConcurrent(count, 32, async (index) => {
      await shortLived.create({ subject: `${tag}-sweep-${count}-${index}@example.com`, data: SCALE_PAYLOAD });
    });
    let removed = 0;
    let calls = 0;
    const start = performance.now();
    for (;;) {
      const batch = await sweeper.sweepExpired(SWEEP_BATCH);
      removed += batch;
      calls += 1;
      if (batch < SWEEP_BATCH) break;
    }
    const ms = performance.now() - start;
    if (removed !== count)
      throw new Error(`sweep removed ${removed} sessions, not the ${count} that expired`);
    rounds.push({ expired: count, removed, calls, ms });
  }
  const idle: number[] = [];
  for (let repeat = 0; repeat < 5; repeat += 1) {
    const start = performance.now();
    const removed = await sweeper.sweepExpired(SWEEP_BATCH);
    idle.push(performance.now() - start);
    if (removed !== 0) throw new Error(`a sweep with nothing due removed ${removed} sessions`);
  }
  return { rounds, idleMs: median(idle) };
}
